import BerthCLI
BerthCommand.main()

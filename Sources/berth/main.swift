import BerthCLI
import Foundation

exit(BerthCommand.execute(Array(CommandLine.arguments.dropFirst())))

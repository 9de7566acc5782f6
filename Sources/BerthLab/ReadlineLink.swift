// The REPL (issue 6, later) edits lines with GNU readline. Importing the module here keeps
// BerthLab linked against libreadline until that code lands, so the link stays tested.
import CReadline

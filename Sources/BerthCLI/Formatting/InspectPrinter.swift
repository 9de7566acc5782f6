import ArgumentParser
import BerthCore

/// How every `inspect` prints, as docker/cli's inspect.Inspect does: a template that does not parse is
/// refused with status 64 before anything is looked up; then each object goes through the template, or
/// all of them print as one JSON array indented by four spaces.
struct InspectPrinter {
    let template: GoTemplate?

    init(format: String?) throws(BerthError) {
        do {
            template = try format.map { f throws(BerthError) in try GoTemplate(f) }
        } catch {
            throw BerthError(message: error.message, exitCode: 64)
        }
    }

    func write(_ values: [TemplateValue], to console: Console) throws(BerthError) {
        guard let template else {
            console.out(TemplateValue.array(values).indentedJSON)
            return
        }
        for v in values { console.out(try template.render(v)) }
        if values.isEmpty { console.out("") }  // Docker's template inspector flushes one empty line
    }
}

/// docker/cli's inspector: each object that is found, as JSON or through the template; each one
/// that is not, on stderr; exit 1 if any was not found.
func printInspected(_ refs: [String], format: String?, _ lookup: (String) throws -> TemplateValue) throws {
    let printer = try InspectPrinter(format: format)
    let console = Console.current
    var values: [TemplateValue] = []
    var errors: [String] = []
    for ref in refs {
        do {
            values.append(try lookup(ref))
        } catch let e as BerthError {
            // A "No such ..." from the daemon is reported by the client in its own words.
            let notFound = "Error response from daemon: No such "
            errors.append(e.message.hasPrefix(notFound) ? "Error: No such " + e.message.dropFirst(notFound.count) : e.message)
        }
    }
    try printer.write(values, to: console)
    errors.forEach { console.err($0) }
    if !errors.isEmpty { throw ExitCode(1) }
}

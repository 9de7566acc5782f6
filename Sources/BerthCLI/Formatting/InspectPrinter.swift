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

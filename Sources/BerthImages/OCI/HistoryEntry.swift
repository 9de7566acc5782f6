/// One row of `docker history`: how a layer (or an empty, config-only step) was made.
package struct HistoryEntry: Codable, Equatable, Sendable {
    /// RFC 3339.
    package var created: String?
    package var createdBy: String?
    package var author: String?
    package var comment: String?
    /// True when the step changed only the config and added no layer.
    package var emptyLayer: Bool?

    package init(
        created: String? = nil, createdBy: String? = nil, author: String? = nil, comment: String? = nil,
        emptyLayer: Bool? = nil
    ) {
        self.created = created
        self.createdBy = createdBy
        self.author = author
        self.comment = comment
        self.emptyLayer = emptyLayer
    }

    enum CodingKeys: String, CodingKey {
        case created, createdBy = "created_by", author, comment, emptyLayer = "empty_layer"
    }
}

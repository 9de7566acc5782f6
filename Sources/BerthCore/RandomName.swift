/// Docker-style `adjective_surname` names for containers started without `--name`.
/// The word lists are our own (scientists and engineers, with a few from Korea).
public enum RandomName {
    static let adjectives = [
        "admiring", "agitated", "amazing", "awesome", "blissful", "bold", "brave", "busy", "calm",
        "charming", "clever", "cool", "dazzling", "determined", "eager", "ecstatic", "elegant",
        "epic", "festive", "focused", "friendly", "gallant", "gifted", "goofy", "gracious", "happy",
        "hopeful", "hungry", "inspiring", "jolly", "jovial", "keen", "kind", "laughing", "loving",
        "lucid", "magical", "modest", "musing", "nice", "nifty", "nostalgic", "optimistic",
        "peaceful", "pensive", "practical", "quirky", "quiet", "relaxed", "romantic", "serene",
        "sharp", "silly", "sleepy", "stoic", "strange", "sweet", "tender", "trusting", "upbeat",
        "vibrant", "vigilant", "wizardly", "wonderful", "youthful", "zealous", "zen",
    ]
    static let surnames = [
        "agnesi", "babbage", "bardeen", "bohr", "boole", "cerf", "curie", "darwin", "dijkstra",
        "einstein", "euclid", "faraday", "fermi", "feynman", "franklin", "galileo", "gauss",
        "goldberg", "hamilton", "hawking", "heisenberg", "hopper", "hypatia", "jang", "jepsen",
        "kepler", "knuth", "lamport", "leakey", "liskov", "lovelace", "maxwell", "meitner",
        "mendel", "morse", "napier", "newton", "noether", "pascal", "pasteur", "perlman", "pike",
        "ritchie", "shannon", "sejong", "thompson", "tesla", "torvalds", "turing", "wilson",
        "wozniak", "wright", "yonath",
    ]

    public static func make() -> String {
        adjectives.randomElement()! + "_" + surnames.randomElement()!
    }
}

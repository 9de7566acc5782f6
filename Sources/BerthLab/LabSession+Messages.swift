import Foundation

/// The lab's own sentences, in both languages. Lesson texts live in the lessons; these are the
/// frame around them.
package enum LabMessage {
    case noSuchChapter(String, [String])
    case chapterBroken(String)
    case chapterDone(String)
    case noChapter
    case setupFailed(String, Int32)
    case progressNotSaved(String)
    case stepPassed(Int, Int)
    case notYet(String)
    case noHints
    case skipped(String)
    case resetDone(String, Int, Int)
    case languageIs(Language)
    case unknownLanguage(String)
    case unknownCommand(String)
    case unbalancedQuotes(Character)
    case abandoned
    case goodbye
    case welcome
}

extension LabSession {
    package func message(_ m: LabMessage) -> String {
        let ko = language == .ko
        switch m {
        case .noSuchChapter(let name, let known):
            let list = known.joined(separator: ", ")
            return ko ? "'\(name)' 챕터가 없어요. 있는 챕터: \(list)" : "There is no chapter '\(name)'. Chapters: \(list)"
        case .chapterBroken(let folder):
            return ko ? "\(folder) 챕터 파일에 문제가 있어 열 수 없어요:" : "Chapter \(folder) cannot be opened: its lesson file is broken:"
        case .chapterDone(let id):
            return ko ? "🎉 \(id) 챕터를 모두 마쳤어요. :lessons 로 다음 챕터를 고르세요."
                : "🎉 Chapter \(id) is complete. :lessons lists the others."
        case .noChapter:
            return ko ? "아직 챕터를 시작하지 않았어요. :lessons 로 목록을 보고 :start 1 처럼 시작하세요."
                : "No chapter is open yet. :lessons lists them; start one with e.g. :start 1"
        case .setupFailed(let line, let status):
            return ko ? "준비 명령이 실패했어요 (종료 코드 \(status)): \(line)" : "A setup command failed (exit \(status)): \(line)"
        case .progressNotSaved(let why):
            return ko ? "진행 상황을 저장하지 못했어요: \(why)" : "Progress could not be saved: \(why)"
        case .stepPassed(let n, let total):
            return ko ? "✔ \(n)/\(total) 단계 통과!" : "✔ Step \(n)/\(total) passed!"
        case .notYet(let why):
            return ko ? "아직이에요: \(why)  (:hint 로 힌트를 볼 수 있어요)" : "Not yet: \(why)  (:hint gives a hint)"
        case .noHints:
            return ko ? "이 단계에는 힌트가 없어요." : "This step has no hints."
        case .skipped(let id):
            return ko ? "'\(id)' 단계를 건너뛰었어요." : "Skipped step '\(id)'."
        case .resetDone(let id, let containers, let images):
            return ko ? "\(id) 챕터를 초기화했어요: 컨테이너 \(containers)개, 이미지 \(images)개를 지웠어요."
                : "Chapter \(id) reset: removed \(containers) container(s) and \(images) image(s) it created."
        case .languageIs(let l):
            return l == .ko ? "언어: 한국어 (ko)" : "Language: English (en)"
        case .unknownLanguage(let t):
            return ko ? "'\(t)' 언어는 없어요: ko 또는 en" : "Unknown language '\(t)': ko or en"
        case .unknownCommand(let c):
            return ko ? "\(c) 는 랩 명령이 아니에요. :help 로 목록을 보세요." : "\(c) is not a lab command; :help lists them."
        case .unbalancedQuotes(let q):
            return ko ? "따옴표 \(q) 가 닫히지 않았어요. 아무것도 실행하지 않았어요." : "Unbalanced quotes: \(q) is never closed. Nothing was run."
        case .abandoned:
            return ko ? "Ctrl-C 를 받고도 끝나지 않아 기다리기를 멈췄어요. 컨테이너의 첫 프로세스(PID 1)는 처리기가 없으면 Ctrl-C 를 무시해요. 컨테이너는 아직 돌고 있을 수 있어요: docker ps 로 보고 docker stop 으로 멈추세요."
                : "It did not end on Ctrl-C, so the lab stopped waiting. A container's first process (PID 1) ignores Ctrl-C unless it handles it: the container may still be running. docker ps shows it; docker stop ends it."
        case .goodbye:
            return ko ? "진행 상황을 저장했어요. 다음에 berth lab 으로 이어서 하세요." : "Progress saved. Run berth lab to continue where you left off."
        case .welcome:
            return ko ? "Berth 랩 — 명령을 입력하세요. :help 는 랩 명령, Ctrl-D 는 종료."
                : "Berth lab — type commands. :help lists lab commands, Ctrl-D leaves."
        }
    }

    package var helpText: String {
        let ko = language == .ko
        let rows: [(String, String, String)] = [
            (":lessons", "챕터 목록", "list the chapters"),
            (":start CH", "챕터 시작 (예: :start 2)", "open a chapter (e.g. :start 2)"),
            (":step", "지금 단계의 목표", "show the current step's goal"),
            (":hint", "다음 힌트 (부드러운 것부터)", "the next hint, gentlest first"),
            (":solution [run]", "정답 명령 보기 (run: 실행)", "show the solution (run: run it)"),
            (":check", "지금 상태 확인", "check the current step now"),
            (":skip", "이 단계 건너뛰기", "skip this step"),
            (":reset", "챕터가 만든 것을 지우고 처음부터", "remove what the chapter made and restart it"),
            (":status", "진행 상황 표", "progress table"),
            (":lang ko|en", "언어 바꾸기", "switch language"),
            (":help", "이 목록", "this list"),
            (":quit", "나가기 (Ctrl-D)", "leave (Ctrl-D)"),
        ]
        var out = ko ? "랩 명령:" : "Lab commands:"
        for (c, k, e) in rows { out += "\n  " + c.padding(toLength: 17, withPad: " ", startingAt: 0) + (ko ? k : e) }
        out += ko ? "\n그 밖의 줄은 실행돼요: docker … 는 Berth로, 나머지는 /bin/sh 로 (docker 는 Berth를 가리켜요)."
            : "\nAny other line runs: docker … through Berth, the rest in /bin/sh (where docker is Berth)."
        return out
    }

    func heading(_ title: String) -> String { "\n== " + title + " ==" }

    func stepHeading(_ n: Int, _ total: Int, _ id: String) -> String {
        (language == .ko ? "\n── 단계 \(n)/\(total): " : "\n── Step \(n)/\(total): ") + id + " ──"
    }

    func hintBox(_ text: String, number: Int? = nil, of total: Int? = nil) -> String {
        let label = language == .ko ? "힌트" : "Hint"
        let count = number.map { " \($0)/\(total ?? $0)" } ?? ""
        return "💡 \(label)\(count): " + text
    }

    func promptEcho(_ line: String) -> String { prompt + line }
}

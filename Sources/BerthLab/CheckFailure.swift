/// Why a check does not hold, specific enough to teach from: not "failed" but "web exists
/// but is exited". `text(_:)` words it for the learner in either language.
package indirect enum CheckFailure: Sendable, Equatable {
    case noContainer(String)
    case wrongState(name: String, actual: String, wanted: [String])
    case wrongExitCode(name: String, actual: Int32, wanted: Int32, not: Bool)
    case wrongFlag(name: String, flag: String, wanted: Bool)
    case missingPort(name: String, port: String)
    case wrongCommand(name: String, actual: [String], wanted: [String])
    case wrongCount(actual: Int, wanted: String)
    case imageMissing(String)
    case imageStillPresent(String)
    case imageDiffers(ref: String, sameAs: String)
    case noPublishedPort(String)
    case httpUnreachable(url: String, reason: String)
    case httpStatus(url: String, actual: Int, wanted: Int)
    case httpBody(url: String, missing: String)
    case notRunning(String)
    case execStatus(name: String, actual: Int32, wanted: Int32)
    case execOutput(name: String, missing: String)
    case fileMissing(place: FilePlace, path: String)
    case fileUnexpected(place: FilePlace, path: String)
    case fileContent(place: FilePlace, path: String, missing: String)
    case layersNotShared([String])
    case volumeMissing(String)
    case volumeStillPresent(String)
    case volumeNotMounted(volume: String, container: String)
    case layersMissing(String)
    case outputMissing(String)
    case commandNotRun([String])
    case unresolved(String)
    case noneOf([CheckFailure])
    case stateUnreadable(String)

    package func text(_ language: Language) -> String {
        let ko = language == .ko
        switch self {
        case .noContainer(let f):
            return ko ? "조건(\(f))에 맞는 컨테이너가 없어요." : "No container matches \(f)."
        case .wrongState(let name, let actual, let wanted):
            let w = wanted.joined(separator: " / ")
            return ko ? "\(name) 컨테이너는 \(actual) 상태예요. \(w) 상태여야 해요."
                : "Container \(name) is \(actual); it should be \(w)."
        case .wrongExitCode(let name, let actual, let wanted, let not):
            if not {
                return ko ? "\(name) 컨테이너의 종료 코드가 \(actual)이에요. \(wanted)이 아니어야 해요."
                    : "Container \(name) exited with \(actual); it should not be \(wanted)."
            }
            return ko ? "\(name) 컨테이너의 종료 코드가 \(actual)이에요. \(wanted)이어야 해요."
                : "Container \(name) exited with \(actual); it should be \(wanted)."
        case .wrongFlag(let name, let flag, let wanted):
            return ko ? "\(name) 컨테이너는 \(flag) 옵션이 \(wanted ? "필요해요" : "없어야 해요")."
                : "Container \(name) should \(wanted ? "" : "not ")be created with \(flag)."
        case .missingPort(let name, let port):
            return ko ? "\(name) 컨테이너에 \(port) 포트 바인딩이 없어요."
                : "Container \(name) has no binding for \(port)."
        case .wrongCommand(let name, let actual, let wanted):
            return ko ? "\(name) 컨테이너의 명령은 \(actual.joined(separator: " "))이에요. \(wanted.joined(separator: " "))이 들어 있어야 해요."
                : "Container \(name) runs \(actual.joined(separator: " ")); it should run \(wanted.joined(separator: " "))."
        case .wrongCount(let actual, let wanted):
            return ko ? "해당하는 컨테이너가 \(actual)개예요. \(wanted)여야 해요."
                : "\(actual) matching container(s); there should be \(wanted)."
        case .imageMissing(let ref):
            return ko ? "\(ref) 이미지가 없어요." : "There is no image \(ref)."
        case .imageStillPresent(let ref):
            return ko ? "\(ref) 이미지가 아직 있어요." : "The image \(ref) is still there."
        case .imageDiffers(let ref, let sameAs):
            return ko ? "\(ref)은(는) \(sameAs)와 다른 이미지예요." : "\(ref) is not the same image as \(sameAs)."
        case .noPublishedPort(let port):
            return ko ? "컨테이너 포트 \(port)를 공개한 실행 중인 컨테이너가 없어요."
                : "No running container publishes container port \(port)."
        case .httpUnreachable(let url, let reason):
            return ko ? "\(url)에 접속할 수 없어요 (\(reason))." : "Cannot reach \(url) (\(reason))."
        case .httpStatus(let url, let actual, let wanted):
            return ko ? "\(url)이 \(actual)로 응답했어요. \(wanted)이어야 해요."
                : "\(url) answered \(actual); expected \(wanted)."
        case .httpBody(let url, let missing):
            return ko ? "\(url)의 응답에 \"\(missing)\"이 없어요." : "The page at \(url) does not contain \"\(missing)\"."
        case .notRunning(let f):
            return ko ? "조건(\(f))에 맞는 실행 중인 컨테이너가 없어요." : "No running container matches \(f)."
        case .execStatus(let name, let actual, let wanted):
            return ko ? "\(name) 안에서 실행한 확인 명령이 \(actual)로 끝났어요 (\(wanted)이어야 해요)."
                : "The check command in \(name) exited with \(actual) (expected \(wanted))."
        case .execOutput(let name, let missing):
            return ko ? "\(name) 안의 확인 명령 출력에 \"\(missing)\"이 없어요."
                : "The check command in \(name) did not print \"\(missing)\"."
        case .volumeMissing(let name):
            return ko ? "\(name) 볼륨이 없어요." : "There is no volume \(name)."
        case .volumeStillPresent(let name):
            return ko ? "\(name) 볼륨이 아직 있어요." : "The volume \(name) is still there."
        case .volumeNotMounted(let volume, let container):
            return ko ? "\(container) 컨테이너는 \(volume) 볼륨을 마운트하지 않았어요."
                : "Container \(container) does not mount the volume \(volume)."
        case .fileMissing(let place, let path):
            return ko ? "\(place.text(language))에 \(path) 파일이 없어요." : "\(path) does not exist in \(place.text(language))."
        case .fileUnexpected(let place, let path):
            return ko ? "\(place.text(language))에 \(path) 파일이 있어요. 없어야 해요." : "\(path) exists in \(place.text(language)); it should not."
        case .fileContent(let place, let path, let missing):
            return ko ? "\(place.text(language))의 \(path)에 \"\(missing)\"이 없어요." : "\(path) in \(place.text(language)) does not contain \"\(missing)\"."
        case .layersNotShared(let images):
            return ko ? "\(images.joined(separator: ", ")) 이미지들이 레이어를 함께 쓰고 있지 않아요."
                : "The images \(images.joined(separator: ", ")) do not share their layers."
        case .layersMissing(let image):
            return ko ? "\(image)의 레이어가 디스크에 없어요." : "The layers of \(image) are not on disk."
        case .outputMissing(let what):
            return ko ? "마지막 명령의 출력에서 \(what)을 찾지 못했어요."
                : "The last command's output does not show \(what)."
        case .commandNotRun(let names):
            let list = names.map { "docker \($0)" }.joined(separator: ko ? " 또는 " : " or ")
            return ko ? "이 단계는 \(list) 명령으로 해 보세요." : "This step is done with \(list)."
        case .unresolved(let p):
            return ko ? "\(p)에 해당하는 것을 아직 찾을 수 없어요." : "Nothing to fill in \(p) yet."
        case .noneOf(let failures):
            return failures.first?.text(language) ?? (ko ? "맞는 경우가 없어요." : "None of the alternatives holds.")
        case .stateUnreadable(let message):
            return ko ? "상태를 읽을 수 없어요: \(message)" : "Cannot read the state: \(message)"
        }
    }
}

/// Where a file check looked.
package enum FilePlace: Sendable, Equatable {
    case container(String), containerLayer(String), image(String), volume(String), host

    package func text(_ language: Language) -> String {
        let ko = language == .ko
        switch self {
        case .container(let n): return ko ? "\(n) 컨테이너" : "container \(n)"
        case .containerLayer(let n): return ko ? "\(n) 컨테이너의 쓰기 가능 레이어" : "the writable layer of container \(n)"
        case .image(let r): return ko ? "\(r) 이미지" : "image \(r)"
        case .volume(let n): return ko ? "\(n) 볼륨" : "volume \(n)"
        case .host: return ko ? "호스트" : "the host"
        }
    }
}

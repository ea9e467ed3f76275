// Requests the agent dropped: in a session of several requests, one was never handled and the user had
// to raise it again ("And the cancellation??", "You didn't answer my other question"), or the agent
// admitted it had missed it ("Sorry, I missed that part!"). tau-bench's fault analysis counts
// incomplete fulfilment of the user's requests among the commonest failures; MAST names it as
// ignoring input and premature termination.
// Part of IssueFinder (IssueFinder.swift).

import Foundation
import SiftModel

extension IssueFinder {
    /// A user saying a request of theirs went unanswered, in the languages support traffic comes in.
    static let unansweredCues = ["you didn't answer", "you did not answer", "you didnt answer", "didn't answer my", "did not answer my", "you haven't answered",
                                 "you forgot my", "you forgot about my", "you skipped my", "you ignored my",
                                 "my other question", "my other request", "my second question", "the other thing i asked", "still waiting for an answer",
                                 "vous n'avez pas répondu", "vous avez oublié", "mon autre question", "mon autre demande",
                                 "no me respondió", "no respondiste", "no me contestó", "se le olvidó", "mi otra pregunta", "mi otra solicitud",
                                 "você não respondeu", "você esqueceu", "minha outra pergunta", "meu outro pedido",
                                 "nicht beantwortet", "sie haben nicht geantwortet", "sie haben vergessen", "meine andere frage",
                                 "non hai risposto", "hai dimenticato", "l'altra domanda", "la mia altra domanda"]
    /// A short turn raising a pending item of the user's own ("And the cancellation??", "What about my
    /// balance?", "Et le rendez-vous ?"), at its start.
    static let pendingItemOpeners = ["and the ", "and my ", "what about my ", "what about the ", "and what about ", "hello? what about",
                                     "et le ", "et la ", "et l'", "et mon ", "et ma ", "et mes ", "¿y el ", "¿y la ", "¿y mi ", "y el ", "y la ", "y mi ",
                                     "e o ", "e a ", "e meu ", "e minha ", "und der ", "und die ", "und das ", "und mein", "e il ", "e la ", "e il mio", "e la mia"]
    /// The agent admitting it passed over a request.
    static let missedCues = ["i missed that", "missed that part", "i missed your", "i overlooked", "i forgot", "you did ask about that",
                             "j'ai oublié", "oublié ce point", "me olvidé", "se me pasó", "esqueci", "habe ich übersehen", "habe ich vergessen", "ho dimenticato"]

    /// A turn holding several requests: two questions, a numbered second one, or an "also".
    static func holdsSeveralRequests(_ lower: String) -> Bool {
        lower.filter { $0 == "?" }.count >= 2 || ByteText.any(lower, [" also", "also,", "as well", "2)", "\n2.", "aussi", "también", "também", " auch ", "anche"])
    }

    mutating func droppedRequests() {
        var lastAgentAsked = false
        var earlier: [String] = []
        for (i, e) in t.events.enumerated() {
            switch e {
            case .assistant(let s):
                if ByteText.any(String(decoding: ByteText.lower(s), as: UTF8.self), Self.missedCues) {
                    add(.droppedRequest, "The agent passed over one of the user's requests until the user raised it again.", [(span(i), s)])
                }
                lastAgentAsked = s.contains("?")
            case .user(let s):
                let l = s.lowercased().trimmingCharacters(in: .whitespaces)
                // The item raised again was asked for before: "And the cancellation??" after "can you
                // cancel my appointment", not "And the total?" for the first time.
                let pending = !lastAgentAsked && Self.pendingItemOpeners.contains { l.hasPrefix($0) } && l.count < 80 && l.contains("?")
                    && !Self.stems(l).isDisjoint(with: earlier.filter(Self.holdsSeveralRequests).reduce(into: Set<String>()) { $0.formUnion(Self.stems($1)) })
                earlier.append(l)
                if ByteText.any(l, Self.unansweredCues) || pending {
                    add(.droppedRequest, "The user had to raise a request of theirs again: the agent had passed over it.", [(span(i), s)])
                }
            case .tool: break
            }
        }
    }
}

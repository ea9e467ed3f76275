import XCTest
import SiftModel
@testable import SiftTopics

/// Support traffic comes in many languages: a user who gives up in French or Portuguese is as
/// frustrated as one who does in English, and one who says "merci" is thanking the agent.
final class MultilingualToneTests: XCTestCase {
    func testToneInOtherLanguages() {
        XCTAssertEqual(BuiltinFacetModel.tone("Incroyable, je l'ai expliqué trois fois. J'abandonne."), .frustrated)
        XCTAssertEqual(BuiltinFacetModel.tone("Esquece isso. É uma perda de tempo."), .frustrated)
        XCTAssertEqual(BuiltinFacetModel.tone("Ich gebe auf, das ist Zeitverschwendung."), .frustrated)
        XCTAssertEqual(BuiltinFacetModel.tone("Sigue sin funcionar."), .negative)
        XCTAssertEqual(BuiltinFacetModel.tone("Merci beaucoup !"), .positive)
        XCTAssertEqual(BuiltinFacetModel.tone("Bonjour, je n'arrive plus à me connecter."), .neutral)
        // Other languages' cues are no near-miss spelling of an English word ("incredibile").
        XCTAssertNotEqual(BuiltinFacetModel.tolerantTone("Incredible, that was fast."), .frustrated)
    }

    func testAUserWhoGivesUpInPortugueseLeftFrustrated() {
        func head(_ e: [ThreadEvent]) -> String { issues(e).summary.components(separatedBy: ":").first! }
        let lookup = call("lookup_user", args: ["email": "beatriz@example.pt"], result: ["user": ["id": "usr_n2r84"]])
        let opening: [ThreadEvent] = [.user("Olá, esqueci a minha senha. Podem redefinir?"), lookup,
                                      .assistant("Enviei um código por SMS. Qual é?"), .user("Não chegou nada."),
                                      .assistant("Por segurança só posso verificar com os contactos registados.")]
        XCTAssertEqual(head(opening + [.user("Esquece. Isto é uma perda de tempo.")]), "User left frustrated")
        XCTAssertEqual(head(opening + [.user("Ok, chegou agora. Obrigado!")]), "NONE")
        // "merci" inside "commercial" thanks nobody.
        XCTAssertEqual(head(opening + [.user("This is useless, I'll take it to a commercial competitor.")]), "User left frustrated")
    }

    /// A user who leaves unhelped says so in a verdict ("this is going nowhere", "no me has ayudado en
    /// nada"), takes the problem back ("I'll sort it out myself"), dismisses the agent ("whatever.") or
    /// leaves after a frustrated turn without thanks. Each is read in the other languages too; none of
    /// them reads into a satisfied ending or a "whatever" inside a sentence.
    func testAUserWhoLeavesUnhelpedLeftFrustrated() {
        XCTAssertEqual(BuiltinFacetModel.tone("ok this is going nowhere. bye"), .frustrated)
        XCTAssertEqual(BuiltinFacetModel.tone("Whatever. Logging off."), .frustrated)
        XCTAssertEqual(BuiltinFacetModel.tone("ok whatever"), .frustrated)
        // A dismissal that answers a choice, and a user who will do the rest once sent a link.
        XCTAssertEqual(BuiltinFacetModel.tone("Whatever, the earliest slot is fine."), .neutral)
        XCTAssertFalse(BuiltinFacetModel.takesBack("just send me the reset link and i'll do it myself."))
        XCTAssertEqual(BuiltinFacetModel.tone("Nada, lo resuelvo yo. No me has ayudado en nada."), .frustrated)
        XCTAssertEqual(BuiltinFacetModel.tone("Schon gut. Das war überhaupt nicht hilfreich."), .frustrated)
        XCTAssertEqual(BuiltinFacetModel.tone("Whatever time suits you is fine."), .neutral)
        XCTAssertEqual(BuiltinFacetModel.tone("Peu importe l'heure, merci !"), .positive)
        XCTAssertEqual(BuiltinFacetModel.tone("Es ist mir egal, welcher Tag."), .neutral)

        func head(_ e: [ThreadEvent]) -> String { issues(e).summary.components(separatedBy: ":").first! }
        let lookup = call("get_vpn_status", args: ["user_id": "usr_n2r84"], result: ["vpn": "enabled", "last_error": "809"])
        let opening: [ThreadEvent] = [.user("My VPN fails with error 809."), lookup,
                                      .assistant("Please try a phone hotspot."),
                                      .user("Tried that twice. It's YOUR side. This is ridiculous."),
                                      .assistant("I understand. Please restart your router.")]
        XCTAssertEqual(head(opening + [.user("bye.")]), "User left frustrated")
        XCTAssertEqual(head(opening + [.user("Deixa, eu resolvo sozinho.")]), "User left frustrated")
        XCTAssertEqual(head(opening + [.user("I'll sort it out myself.")]), "User left frustrated")
        XCTAssertEqual(head(opening + [.user("ok, that worked. thanks, bye!")]), "NONE")
        XCTAssertEqual(head(opening + [.user("ok bye")]), "NONE")
        XCTAssertEqual(head(opening + [.user("Vale, lo arreglo yo.")]), "NONE")
        // Taking the complaint elsewhere, however calmly; and being answered the same twice.
        XCTAssertEqual(head(opening + [.user("Fine, I'll take it to the ombudsman then.")]), "User left frustrated")
        XCTAssertEqual(head([.user("My VPN fails with error 809."), lookup, .assistant("Please try a phone hotspot."),
                             .user("Same answer again... I just told you I tried that."), .assistant("Please try a phone hotspot."), .user("no. bye.")]),
                       "User left frustrated")
        XCTAssertEqual(head([.user("My VPN fails with error 809."), lookup, .assistant("Please try a phone hotspot."),
                             .user("That worked, thanks."), .assistant("Glad to help."), .user("no. bye.")]), "NONE")
        // A complaint that opened the conversation, the fix, and a goodbye.
        XCTAssertEqual(head([.user("My order hasn't arrived, this is unacceptable."), lookup, .assistant("It was delivered to your neighbour at no. 12."),
                             .user("Found it, it was there."), .assistant("Great!"), .user("Perfect, bye!")]), "NONE")
    }
}

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
}

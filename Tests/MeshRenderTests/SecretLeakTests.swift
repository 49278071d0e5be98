// No secret outside the files meant to hold one: render with a bearer-token user, then the
// plan (plan.json, `meshscript plan` text and JSON) and everything render prints must contain
// neither the token nor any private key.
import Foundation
import MeshScript
import MeshTestSupport
import Testing

@Suite struct SecretLeakTests {
    static let token = KubeContext.reader("tok-LEAKCHECK-9b2e71d04f")

    static let script = """
        mesh m1
        network net1
        root root < key ecdsa p256 >
        cluster east < context "ctx-east"; trust from root; install >
        cluster west < context "ctx-west"; trust from root; install; discover with east >

        """

    static func kubeconfig(eastServer: String = "https://east.api.test:6443") -> String {
        KubeContext.yaml([
            // A namespace, so render also has a warning to print.
            KubeContext(name: "ctx-east", server: eastServer, auth: .token(token), namespace: "apps"),
            KubeContext(name: "ctx-west", server: "https://west.api.test:6443", auth: .token(token + "-west")),
        ])
    }

    static func expectNoSecret(_ text: String, _ what: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(!text.contains(token), "\(what) contains the bearer token", sourceLocation: sourceLocation)
        #expect(!text.contains("PRIVATE KEY"), "\(what) contains a private key", sourceLocation: sourceLocation)
        // The whole token, and also its base64 form, in case something encodes it.
        #expect(!text.contains(Data(token.utf8).base64EncodedString().dropLast(4)), "\(what) contains the token in base64", sourceLocation: sourceLocation)
    }

    @Test func planAndRenderOutputHoldNoSecret() throws {
        let scratch = try Scratch()
        let kubeconfig = try scratch.write("config.yaml", Self.kubeconfig())
        let path = try scratch.write("mesh.mesh", Self.script)
        let out = scratch.at("out")
        let environment = cliEnvironment(home: scratch.home, ["KUBECONFIG": kubeconfig])

        let render = try meshscript(["render", path, "--out", out], environment: environment)
        #expect(render.status == 0, "\(render.output)")
        #expect(render.stderr.contains("warning:"), "expected the namespace warning: \(render.stderr)")
        #expect(render.stdout.contains("remote secrets: 2 of 2 written from kubeconfig"), "\(render.stdout)")
        // The secrets did reach the files meant for them, so their absence elsewhere means something.
        #expect(read(out + "/west/remote-secret-east.yaml").contains(Self.token))
        #expect(read(out + "/east/ca-key.pem").contains("PRIVATE KEY"))

        Self.expectNoSecret(render.stdout, "render's stdout")
        Self.expectNoSecret(render.stderr, "render's stderr")
        Self.expectNoSecret(read(out + "/plan.json"), "plan.json")

        for format in ["text", "json"] {
            let plan = try meshscript(["plan", path, "--out", out, "--format", format], environment: environment)
            #expect(plan.status == 0, "\(plan.output)")
            #expect(plan.stdout.contains("remote-secret-east.yaml"), "the plan should apply the written file: \(plan.stdout)")
            Self.expectNoSecret(plan.stdout, "meshscript plan --format \(format) (stdout)")
            Self.expectNoSecret(plan.stderr, "meshscript plan --format \(format) (stderr)")
        }

        // A second render prints nothing secret either, and rewrites nothing.
        let before = TreeSnapshot(out)
        let again = try meshscript(["render", path, "--out", out], environment: environment)
        #expect(again.status == 0)
        Self.expectNoSecret(again.output, "a second render's output")
        #expect(TreeSnapshot(out) == before, "changed by the second render: \(TreeSnapshot(out).differences(from: before))")
    }

    @Test func failingPreflightPrintsNoSecret() throws {
        let scratch = try Scratch()
        let kubeconfig = try scratch.write("config.yaml", Self.kubeconfig(eastServer: "https://127.0.0.1:6443"))
        let path = try scratch.write("mesh.mesh", Self.script)
        let environment = cliEnvironment(home: scratch.home, ["KUBECONFIG": kubeconfig])
        let render = try meshscript(["render", path, "--out", scratch.at("out")], environment: environment)
        #expect(render.status == 65)
        #expect(render.stderr.contains("loopback"))
        Self.expectNoSecret(render.output, "a failed render's output")
        #expect(!exists(scratch.at("out")))
        let plan = try meshscript(["plan", path, "--out", scratch.at("out")], environment: environment)
        #expect(plan.status == 65)
        Self.expectNoSecret(plan.output, "a failed plan's output")
    }
}

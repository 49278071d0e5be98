// `check` reads the root files a script brings (`root NAME < from "DIR" >`), as render does,
// whenever they exist: a bad root is an error at the `from` statement before anything renders.
import Foundation
import MeshScript
import MeshTestSupport
import Testing

@Suite(.enabled(if: executableOnPath("openssl") != nil, "openssl is not installed"))
struct CheckRootFilesTests {
    static let script = """
        mesh m1
        network net1
        root corp <
          from "certs"
        >
        cluster c1 < trust from corp; install >

        """

    /// A self-signed root in `directory` with `extensions` (openssl, as users make them).
    func makeRoot(in directory: String, extensions: [String], home: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let openssl = try #require(executableOnPath("openssl"))
        let environment = cliEnvironment(home: home)
        let config = directory + "/root.conf"
        try """
            [ req ]
            prompt = no
            distinguished_name = dn
            x509_extensions = ext
            [ ext ]
            \(extensions.joined(separator: "\n"))
            [ dn ]
            O = Corp
            CN = Corp Root CA

            """.write(toFile: config, atomically: true, encoding: .utf8)
        let key = try runProcess(openssl, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", directory + "/root-key.pem"], environment: environment)
        try #require(key.status == 0, "\(key.output)")
        let certificate = try runProcess(openssl, ["req", "-x509", "-new", "-sha256", "-days", "30", "-key", directory + "/root-key.pem",
                                                   "-config", config, "-out", directory + "/root-cert.pem"], environment: environment)
        try #require(certificate.status == 0, "\(certificate.output)")
        try FileManager.default.removeItem(atPath: config)
    }

    @Test(arguments: [
        (["basicConstraints = critical, CA:false"], "is not a CA certificate"),
        (["basicConstraints = critical, CA:true", "keyUsage = critical, keyCertSign", "extendedKeyUsage = clientAuth"],
         "has an extendedKeyUsage without serverAuth"),
    ])
    func aBadRootFailsCheckAtTheFromStatement(extensions: [String], message: String) throws {
        let scratch = try Scratch()
        let path = try scratch.write("mesh.mesh", Self.script)
        try makeRoot(in: scratch.at("certs"), extensions: extensions, home: scratch.home)
        let run = try meshscript(["check", "--no-kubeconfig", path], environment: cliEnvironment(home: scratch.home))
        #expect(run.status == 65, "\(run.output)")
        #expect(run.stderr.contains("mesh.mesh:4:3: error: root 'corp': \(scratch.at("certs"))/root-cert.pem \(message)"), "\(run.output)")
    }

    @Test func aGoodRootAndAMissingDirectoryPassCheck() throws {
        let scratch = try Scratch()
        let path = try scratch.write("mesh.mesh", Self.script)
        let missing = try meshscript(["check", "--no-kubeconfig", path], environment: cliEnvironment(home: scratch.home))
        #expect(missing.status == 0, "a directory render has not been given yet is render's to report: \(missing.output)")
        try makeRoot(in: scratch.at("certs"), extensions: ["basicConstraints = critical, CA:true", "keyUsage = critical, keyCertSign"],
                     home: scratch.home)
        let good = try meshscript(["check", "--no-kubeconfig", path], environment: cliEnvironment(home: scratch.home))
        #expect(good.status == 0, "\(good.output)")
    }

    /// Half a root is a bad root too.
    @Test func aRootWithoutItsKeyFailsCheck() throws {
        let scratch = try Scratch()
        let path = try scratch.write("mesh.mesh", Self.script)
        try makeRoot(in: scratch.at("certs"), extensions: ["basicConstraints = critical, CA:true"], home: scratch.home)
        try FileManager.default.removeItem(atPath: scratch.at("certs") + "/root-key.pem")
        let run = try meshscript(["check", "--no-kubeconfig", path], environment: cliEnvironment(home: scratch.home))
        #expect(run.status == 65, "\(run.output)")
        #expect(run.stderr.contains("mesh.mesh:4:3: error: root 'corp': \(scratch.at("certs"))/root-key.pem"), "\(run.output)")
    }

    /// `check --out DIR` inspects the work directory's intermediates as render does: one whose
    /// extendedKeyUsage lacks serverAuth (istiod's Verify rejects it) is an error at the cluster's
    /// `trust` statement; the directory render wrote checks clean; a directory not made yet is fine.
    @Test func checkOutInspectsTheWorkDirectorysIntermediates() throws {
        let scratch = try Scratch()
        let path = try scratch.write("mesh.mesh", """
            mesh m1
            network net1
            root root < key ecdsa p256 >
            cluster c1 < trust from root; install >

            """)
        let environment = cliEnvironment(home: scratch.home)
        let out = scratch.at("out")
        #expect(try meshscript(["check", "--no-kubeconfig", "--out", out, path], environment: environment).status == 0)
        let render = try meshscript(["render", path, "--out", out], environment: environment)
        try #require(render.status == 0, "\(render.output)")
        let clean = try meshscript(["check", "--no-kubeconfig", "--out", out, path], environment: environment)
        #expect(clean.status == 0, "\(clean.output)")

        // An intermediate of the right name and root, but for client authentication only.
        let openssl = try #require(executableOnPath("openssl"))
        let config = try scratch.write("int.conf", """
            [ req ]
            prompt = no
            distinguished_name = dn
            [ dn ]
            O = Istio
            CN = Intermediate CA
            L = c1
            [ ext ]
            basicConstraints = critical, CA:true, pathlen:0
            keyUsage = critical, keyCertSign, digitalSignature
            extendedKeyUsage = clientAuth

            """)
        let key = out + "/c1/ca-key.pem", csr = scratch.at("int.csr")
        for arguments in [["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key],
                          ["req", "-new", "-key", key, "-config", config, "-out", csr],
                          ["x509", "-req", "-sha256", "-days", "30", "-in", csr, "-CA", out + "/root-cert.pem", "-CAkey", out + "/root-key.pem",
                           "-CAcreateserial", "-extfile", config, "-extensions", "ext", "-out", out + "/c1/ca-cert.pem"]] {
            let step = try runProcess(openssl, arguments, environment: environment)
            try #require(step.status == 0, "\(step.output)")
        }
        let run = try meshscript(["check", "--no-kubeconfig", "--out", out, path], environment: environment)
        #expect(run.status == 65, "\(run.output)")
        #expect(run.stderr.contains("mesh.mesh:4:14: error: \(out)/c1/ca-cert.pem has an extendedKeyUsage without serverAuth"), "\(run.output)")
        #expect(!FileManager.default.fileExists(atPath: out + "/c1/cacerts-secret.yaml.new"), "check writes nothing")
    }
}

import Shared
import Testing
@testable import AgentService

/// Reading the files a diff touches, as `git apply` would, for checking a model's fix.
@Suite struct DiffPathsTests {
    @Test func renamesNewFilesAndDeletionsNameEveryPathInvolved() throws {
        let diff = """
            diff --git a/app/old.py b/app/new.py
            similarity index 90%
            rename from app/old.py
            rename to app/new.py
            diff --git a/app/added.py b/app/added.py
            new file mode 100644
            --- /dev/null
            +++ b/app/added.py
            @@ -0,0 +1 @@
            +x = 1
            diff --git a/app/gone.py b/app/gone.py
            deleted file mode 100644
            --- a/app/gone.py
            +++ /dev/null
            @@ -1 +0,0 @@
            -y = 2

            """
        #expect(try DiffPaths.touched(by: diff, field: "output.diff") == ["app/old.py", "app/new.py", "app/added.py", "app/gone.py"])
    }

    @Test func pathsOutsideTheWorkspaceAreRefusedNamingThem() {
        for path in ["../escape.py", "app/../../escape.py", "/etc/cron.d/x", ".git/hooks/post-checkout", "app//x.py", "./app/x.py", "app/\u{7f}.py", "\"app/\\303\\251.py\""] {
            let diff = "diff --git a/\(path) b/\(path)\nnew file mode 100644\n--- /dev/null\n+++ b/\(path)\n@@ -0,0 +1 @@\n+x = 1\n"
            let error = #expect(throws: WireError.self, "\(path)") { try DiffPaths.touched(by: diff, field: "output.diff") }
            #expect(error?.code == .invalidArgument && error?.details.first?.field == "output.diff")
            #expect(error?.message.contains("a path must be relative") == true, "\(path): \(error?.message ?? "")")
        }
        #expect(DiffPaths.isConfined("app/resources/deals.py") && DiffPaths.isConfined(".github/workflows/ci.yml"))
    }

    @Test func aSymlinkOrABrokenHunkIsRefused() {
        let symlink = "diff --git a/app/x.py b/app/x.py\nnew file mode 120000\n--- /dev/null\n+++ b/app/x.py\n@@ -0,0 +1 @@\n+/etc/passwd\n"
        let short = "diff --git a/app/x.py b/app/x.py\n--- a/app/x.py\n+++ b/app/x.py\n@@ -1,3 +1,3 @@\n-a\n+b\n"
        let garbage = "diff --git a/app/x.py b/app/x.py\n--- a/app/x.py\n+++ b/app/x.py\n@@ -1,2 +1,2 @@\n-a\ndiff --git a/app/y.py b/app/y.py\n"
        for diff in [symlink, short, garbage] {
            #expect(throws: WireError.self) { try DiffPaths.touched(by: diff, field: "output.diff") }
        }
    }
}

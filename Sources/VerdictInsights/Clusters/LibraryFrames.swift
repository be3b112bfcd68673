/// Frames that belong to the test runner, the language runtime or a dependency rather than to
/// the project under test. They are the same for every failure (so they say nothing about which
/// failure it is) and change with dependency upgrades (so they would split clusters for no
/// reason).
enum LibraryFrames {
    /// Whether a frame at `location` (a path or URL) is library code.
    static func isLibraryPath(_ b: [UInt8], _ location: Range<Int>) -> Bool {
        if location.isEmpty { return true }
        for needle in pathNeedles where ByteText.containsIgnoringCase(b, location, needle) { return true }
        for prefix in pathPrefixes where ByteText.hasPrefixIgnoringCase(b, location, prefix) { return true }
        return false
    }

    /// Whether a JVM/.NET frame's qualified method is library code.
    static func isLibraryName(_ b: [UInt8], _ name: Range<Int>) -> Bool {
        for prefix in namePrefixes where ByteText.hasPrefix(b, name, prefix) { return true }
        for needle in nameNeedles where ByteText.containsIgnoringCase(b, name, needle) { return true }
        return false
    }

    private static let pathNeedles: [StaticString] = [
        // JavaScript: dependencies, Node's internals, runners, transpiler helpers, browsers' test runners
        "node_modules", "node:", "<anonymous>", "(native)", "__cypress/runner", "cypress_runner", "playwright-core", "@playwright",
        "jest-circus", "jest-jasmine", "jest-runner", "jest-runtime", "regenerator-runtime", "zone.js", "webpack/bootstrap",
        "/mocha/", "/chai/", "/vitest/", "/tslib/", "/.pnpm/", "/.yarn/",
        // Python
        "site-packages", "dist-packages", "/_pytest/", "/pluggy/", "/unittest/", "/lib/python", "<frozen", "<string>",
        // Ruby
        "/gems/", "/rubygems/", "/lib/ruby/",
        // Go
        "/go/src/", "/libexec/src/", "/pkg/mod/",
        // Swift / Xcode
        "/usr/lib/swift", "xctest/", "/swift/lib/",
    ]

    private static let pathPrefixes: [StaticString] = [
        "internal/", "native", "index ", "timers.js", "events.js", "_stream", "/usr/lib/", "/usr/local/lib/",
    ]

    private static let namePrefixes: [StaticString] = [
        "java.", "javax.", "jdk.", "sun.", "com.sun.", "kotlin.", "kotlinx.", "scala.", "groovy.", "org.codehaus.groovy.",
        "org.junit.", "junit.", "org.opentest4j.", "org.testng.", "org.hamcrest.", "org.assertj.", "org.mockito.", "net.bytebuddy.",
        "org.springframework.", "org.jboss.", "io.quarkus.", "org.unitils.", "org.gradle.", "worker.org.gradle.", "org.scalatest.",
        "org.spockframework.", "io.netty.", "reactor.", "io.reactivex.", "org.eclipse.jetty.", "org.hibernate.", "com.google.common.",
        "org.apache.maven.surefire.booter.", "org.apache.maven.surefire.junit", "org.apache.maven.surefire.common.",
        "org.apache.maven.surefire.util.", "org.apache.maven.surefire.report.", "org.apache.maven.surefire.providerapi.",
        "org.apache.maven.surefire.testng.", "org.apache.maven.surefire.battery.", "org.apache.maven.surefire.Surefire.",
        "org.apache.maven.plugin.", "org.apache.catalina.", "org.apache.tomcat.",
        "org.apache.commons.", "org.apache.http.", "org.apache.logging.", "$Proxy", "System.", "Microsoft.", "NUnit.", "Xunit.",
        "xunit.", "Castle.", "Moq.", "FluentAssertions.",
    ]

    private static let nameNeedles: [StaticString] = ["$$lambda", "$$enhancerby", "$$fastclassby", "generatedmethodaccessor", "cglib$$"]
}

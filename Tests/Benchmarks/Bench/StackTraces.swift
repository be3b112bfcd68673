import VerdictTestSupport

/// Java-like stack traces, long and varied enough to look like what Surefire writes when a
/// Spring service test fails: an assertion, then framework frames, then a `Caused by` chain.
enum StackTraces {
    static let packages = [
        "com.acme.billing.invoice", "com.acme.billing.payment", "com.acme.orders.api", "com.acme.orders.service",
        "com.acme.inventory.stock", "com.acme.identity.session", "com.acme.shipping.rates", "com.acme.search.index",
    ]
    static let classes = [
        "InvoiceService", "PaymentGateway", "OrderController", "OrderRepository", "StockLevelCalculator", "SessionTokenVerifier",
        "RateTableLoader", "IndexWriter", "CurrencyConverter", "DiscountPolicy", "AuditTrail", "RetryTemplate",
    ]
    static let methods = [
        "apply", "validate", "handle", "process", "compute", "lookup", "persist", "refresh", "convert", "authorize", "lambda$submit$3",
    ]
    static let frameworkFrames = [
        "org.junit.jupiter.engine.execution.MethodInvocation.proceed(MethodInvocation.java:60)",
        "org.junit.jupiter.engine.execution.InvocationInterceptorChain$ValidatingInvocation.proceed(InvocationInterceptorChain.java:131)",
        "org.junit.jupiter.engine.extension.TimeoutExtension.intercept(TimeoutExtension.java:156)",
        "org.junit.jupiter.engine.descriptor.TestMethodTestDescriptor.invokeTestMethod(TestMethodTestDescriptor.java:218)",
        "org.junit.platform.engine.support.hierarchical.ThrowableCollector.execute(ThrowableCollector.java:73)",
        "org.junit.platform.engine.support.hierarchical.NodeTestTask.executeRecursively(NodeTestTask.java:138)",
        "org.springframework.test.context.junit.jupiter.SpringExtension.beforeEach(SpringExtension.java:172)",
        "org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:186)",
        "org.springframework.transaction.interceptor.TransactionInterceptor.invoke(TransactionInterceptor.java:119)",
        "java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)",
        "java.base/java.lang.reflect.Method.invoke(Method.java:580)",
        "java.base/java.util.concurrent.FutureTask.run(FutureTask.java:317)",
        "java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1144)",
        "org.apache.maven.surefire.junitplatform.JUnitPlatformProvider.invokeAllTests(JUnitPlatformProvider.java:150)",
    ]
    static let causes = [
        ("java.lang.IllegalStateException", "Connection pool exhausted after 30000 ms"),
        ("java.sql.SQLTransientConnectionException", "HikariPool-1 - Connection is not available, request timed out"),
        ("java.net.SocketTimeoutException", "Read timed out"),
        ("java.lang.NullPointerException", "Cannot invoke \"java.util.Map.get(Object)\" because \"this.rates\" is null"),
    ]

    /// About `frames` frames: application frames, framework frames, then one or two causes.
    static func make(_ random: inout SeededRandom, testClass: String, testMethod: String, frames: Int) -> String {
        var lines: [String] = []
        let expected = random.int(1..<500)
        lines.append("org.opentest4j.AssertionFailedError: expected: <\(expected)> but was: <\(expected + random.int(1..<9))>")
        lines.append("\tat org.junit.jupiter.api.AssertionFailureBuilder.build(AssertionFailureBuilder.java:151)")
        lines.append("\tat org.junit.jupiter.api.AssertEquals.assertEquals(AssertEquals.java:150)")
        lines.append("\tat \(testClass).\(testMethod)(\(simpleName(testClass)).java:\(random.int(20..<900)))")
        var chains = 0
        while lines.count < frames {
            if random.chance(0.6) {
                let package = random.pick(packages)
                let type = random.pick(classes)
                lines.append("\tat \(package).\(type).\(random.pick(methods))(\(type).java:\(random.int(10..<1200)))")
            } else {
                lines.append("\tat \(random.pick(frameworkFrames))")
            }
            if chains < 2, lines.count > frames / 2 + chains * frames / 4, random.chance(0.08) {
                let (type, message) = random.pick(causes)
                lines.append("Caused by: \(type): \(message)")
                chains += 1
            }
        }
        lines.append("\t... \(random.int(20..<80)) more")
        return lines.joined(separator: "\n")
    }

    static func simpleName(_ qualified: String) -> String {
        qualified.split(separator: ".").last.map(String.init) ?? qualified
    }
}

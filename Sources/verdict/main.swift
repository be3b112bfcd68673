import VerdictCLIKit

#if canImport(Glibc)
    import Glibc
#endif

exit(VerdictCLI.main(Array(CommandLine.arguments.dropFirst()), environment: .current()))

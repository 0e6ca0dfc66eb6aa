namespace ExpressHa.Testing;

/// <summary>The values of a test class's <c>[Trait("Category", ...)]</c>. A test without a category is a unit test: it
/// starts no child process, needs no root, no network namespace, no kernel device (loop, NBD, FUSE) and no tool outside
/// .NET; it may use temporary files and loopback sockets inside the test process (a Kestrel API, the local AWS endpoint,
/// an NBD server and client in-process). The unit tests run with
/// <c>dotnet test --filter "Category!=Process&amp;Category!=Namespace&amp;Category!=Mirror&amp;Category!=Chaos"</c>
/// (build.ps1 -Task Unit). A class that does more carries the category of the most it needs (a single test
/// that does more than the rest of its class carries it on the method).</summary>
public static class TestCategory
{
    /// <summary>Starts real processes: expresshad nodes, dotnet, pwsh, shell scripts, command-line tools.</summary>
    public const string Process = "Process";
    /// <summary>Root and network namespaces (ip netns, veth, addresses on interfaces).</summary>
    public const string Namespace = "Namespace";
    /// <summary>Mirror engines replicating (a pair in the process over loopback sockets, timed resyncs and link breaks) or
    /// the real mirror stack outside the process: NBD clients, nbdfuse/FUSE, loop devices, mkfs, mount.</summary>
    public const string Mirror = "Mirror";
    /// <summary>The seeded fault-schedule harness (namespaces, many nodes, minutes).</summary>
    public const string Chaos = "Chaos";
}

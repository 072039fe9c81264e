using System.Reflection;

/// <summary>
/// The repository's root folder (the one holding ManufacturingOrchestration.sln), for tests that read or regenerate the
/// docs, wherever the build output goes: tests/Directory.Build.props records it in each test assembly's metadata.
/// </summary>
internal static class RepositoryRoot
{
    /// <summary>The root's full path.</summary>
    public static string Path { get; } = typeof(RepositoryRoot).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;
}

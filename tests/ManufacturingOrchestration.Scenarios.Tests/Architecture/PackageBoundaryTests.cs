using System.Reflection;
using System.Runtime.CompilerServices;

namespace ManufacturingOrchestration.Scenarios.Tests.Architecture;

/// <summary>The shipped packages open their internals only to their own tests, and the runtime stays domain-neutral.</summary>
public sealed class PackageBoundaryTests
{
    public static TheoryData<string> ShippedAssemblies() =>
    [
        "ManufacturingOrchestration.Model",
        "ManufacturingOrchestration.StateMachines",
        "ManufacturingOrchestration.Rules",
        "ManufacturingOrchestration.Adapters",
        "ManufacturingOrchestration.Adapters.Http",
        "ManufacturingOrchestration.Engine",
        "ManufacturingOrchestration.Scenarios",
        "ManufacturingOrchestration.Hosting",
        "ManufacturingOrchestration.Storage.Sqlite",
        "ManufacturingOrchestration.Testing",
    ];

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void InternalsVisibleTo_OnlyTheAssemblysOwnTests(string name)
    {
        var assembly = Assembly.Load(name);

        var friends = assembly.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName).ToList();

        friends.Should().Equal(name + ".Tests");
    }

    [Fact]
    public void Engine_DoesNotReferenceStateMachinesOrScenarios()
    {
        var references = Assembly.Load("ManufacturingOrchestration.Engine").GetReferencedAssemblies().Select(a => a.Name).ToList();

        references.Should().NotContain("ManufacturingOrchestration.StateMachines").And.NotContain("ManufacturingOrchestration.Scenarios");
    }

    [Fact]
    public void SqliteStore_KeepsCommandsAsBytes_WithoutReferencingTheAdapterContracts()
    {
        var references = Assembly.Load("ManufacturingOrchestration.Storage.Sqlite").GetReferencedAssemblies().Select(a => a.Name).ToList();
        var sources = Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "src", "ManufacturingOrchestration.Storage.Sqlite"), "*.cs*", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("ManufacturingOrchestration.Adapters", StringComparison.Ordinal))
            .ToList();

        references.Should().Contain("ManufacturingOrchestration.Engine").And.NotContain("ManufacturingOrchestration.Adapters");
        sources.Should().BeEmpty();
    }

    [Theory]
    [InlineData("src/ManufacturingOrchestration.Scenarios")]
    [InlineData("samples")]
    [InlineData("benchmarks")]
    public void PublicApiOnly_NoReflectionOnNonPublicMembersAndNoFriendAssemblies(string folder)
    {
        var root = Path.Combine(RepositoryRoot.Path, folder);
        string[] banned = ["BindingFlags.NonPublic", "UnsafeAccessor", "InternalsVisibleTo"];

        var offenders = Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal) || f.EndsWith(".props", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => banned.Where(b => File.ReadAllText(f).Contains(b, StringComparison.Ordinal)).Select(b => $"{Path.GetRelativePath(root, f)}: {b}"))
            .ToList();

        offenders.Should().BeEmpty();
    }
}

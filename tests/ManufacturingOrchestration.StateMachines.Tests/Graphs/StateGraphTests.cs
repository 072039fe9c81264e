using System.Text.RegularExpressions;

namespace ManufacturingOrchestration.StateMachines.Tests.Graphs;

public sealed partial class StateGraphTests
{
    public static TheoryData<string> DiagramNames => ["lot-stock", "production-order", "nonconformance"];

    private static string Generate(string name) => name switch
    {
        "lot-stock" => LotStockMachine.ToMermaid(),
        "production-order" => ProductionOrderMachine.ToMermaid(),
        "nonconformance" => NonconformanceMachine.ToMermaid(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static string DocPath()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ManufacturingOrchestration.sln")))
        {
            directory = directory.Parent;
        }

        if (directory is null)
        {
            // Built outside the tree (a separate artifacts path): fall back to the source location of this file.
            directory = new DirectoryInfo(Path.GetFullPath(Path.Combine(ThisDirectory(), "..", "..", "..")));
        }

        return Path.Combine(directory.FullName, "docs", "state-machines.md");
    }

    private static string ThisDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    [Theory]
    [MemberData(nameof(DiagramNames))]
    public void ToMermaid_MatchesTheDiagramInTheDocs(string name)
    {
        var doc = File.ReadAllText(DocPath());
        var generated = Generate(name);
        var pattern = new Regex($"<!-- diagram:{name} -->\\n```mermaid\\n(?<body>.*?)```\\n<!-- /diagram:{name} -->", RegexOptions.Singleline);

        if (Environment.GetEnvironmentVariable("MO_UPDATE_DOCS") == "1")
        {
            doc = pattern.Replace(doc, $"<!-- diagram:{name} -->\n```mermaid\n{generated}```\n<!-- /diagram:{name} -->");
            File.WriteAllText(DocPath(), doc);
        }

        var match = pattern.Match(doc);
        match.Success.Should().BeTrue($"docs/state-machines.md must hold a generated '{name}' diagram");
        match.Groups["body"].Value.Should().Be(generated, "the diagram in docs/state-machines.md is out of date: run the tests with MO_UPDATE_DOCS=1");
    }

    [Fact]
    public void ToMermaid_LotWithReversals_DrawsTheOnlyWayOutOfScrapped()
    {
        var without = LotStockMachine.ToMermaid();
        var with = LotStockMachine.ToMermaid(includeReversals: true);

        without.Should().NotContain("Scrapped --> ");
        with.Should().Contain("Scrapped --> Unrestricted : Reverse");
        with.Should().Contain("[lot.reversal-invalid]");
    }

    [Fact]
    public void ToMermaid_ShowsGuardsWithReasonCodesAndInternalTransitions()
    {
        var mermaid = ProductionOrderMachine.ToMermaid();

        mermaid.Should().StartWith("stateDiagram-v2\n    [*] --> Created\n");
        mermaid.Should().Contain("TechnicallyCompleted --> Closed : Close [order.balance-not-zero]");
        mermaid.Should().Contain("TechnicallyCompleted --> TechnicallyCompleted : PostGoodsMovement (internal)");
    }

    [Fact]
    public void ToDot_ProducesAGraphWithEveryState()
    {
        var dot = NonconformanceMachine.ToDot();

        dot.Should().StartWith("digraph");
        foreach (var state in Enum.GetNames<ManufacturingOrchestration.Model.NonconformanceStatus>())
        {
            dot.Should().Contain(state);
        }
    }

    [Fact]
    public void ToMermaid_WithATriggerFilter_LeavesOutFixedAndInternalEdgesOfOtherTriggers()
    {
        var mermaid = StateGraph.ToMermaid(NonconformanceMachine.GetInfo(), t => t is not ("Close" or "Correct"));

        mermaid.Should().NotContain(": Close").And.NotContain(": Correct");
        mermaid.Should().Contain("    Closed --> UnderReview : Reopen\n");
        mermaid.Should().Contain("    Refused --> UnderReview : Reopen\n");
    }

    [Fact]
    public void ToMermaid_DynamicTransitionWithoutDeclaredDestinations_DrawsNoEdge()
    {
        var machine = new Stateless.StateMachine<string, string>("Idle");
        machine.Configure("Idle").PermitDynamic("Route", () => "Busy").Permit("Start", "Busy");

        var mermaid = StateGraph.ToMermaid(machine.GetInfo());

        mermaid.Should().Be("stateDiagram-v2\n    [*] --> Idle\n    Idle --> Busy : Start\n");
    }
}

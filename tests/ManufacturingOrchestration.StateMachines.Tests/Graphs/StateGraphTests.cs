using System.Text.RegularExpressions;

namespace ManufacturingOrchestration.StateMachines.Tests.Graphs;

public sealed partial class StateGraphTests
{
    public static TheoryData<string> DiagramNames => ["lot-stock", "production-order", "nonconformance", "capa", "eight-d", "scar", "quarantine-order"];

    private static string Generate(string name) => name switch
    {
        "lot-stock" => LotStockMachine.ToMermaid(),
        "production-order" => ProductionOrderMachine.ToMermaid(),
        "nonconformance" => NonconformanceMachine.ToMermaid(),
        "capa" => CorrectiveActionMachine.ToMermaid(ManufacturingOrchestration.Model.CorrectiveActionKind.Capa),
        "eight-d" => CorrectiveActionMachine.ToMermaid(ManufacturingOrchestration.Model.CorrectiveActionKind.EightD),
        "scar" => CorrectiveActionMachine.ToMermaid(ManufacturingOrchestration.Model.CorrectiveActionKind.Scar),
        "quarantine-order" => QuarantineOrderMachine.ToMermaid(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static string DocPath() => Path.Combine(RepositoryRoot.Path, "docs", "state-machines.md");

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
    public void ToMermaid_LotWithReversals_UndoesEveryForwardEdgeOnce()
    {
        var reversals = LotStockMachine.ToMermaid(includeReversals: true).Split('\n').Where(l => l.Contains(" : Reverse", StringComparison.Ordinal)).Select(l => l.Trim());

        reversals.Should().Equal(
            "External --> Unrestricted : Reverse when reverses a move from Unrestricted [lot.reversal-invalid]",
            "External --> QualityInspection : Reverse when reverses a move from QualityInspection [lot.reversal-invalid]",
            "External --> Blocked : Reverse when reverses a move from Blocked [lot.reversal-invalid]",
            "External --> RestrictedUse : Reverse when reverses a move from RestrictedUse [lot.reversal-invalid]",
            "InTransit --> Unrestricted : Reverse when reverses a move from Unrestricted [lot.reversal-invalid]",
            "InTransfer --> Unrestricted : Reverse when reverses a move from Unrestricted [lot.reversal-invalid]",
            "Unrestricted --> External : Reverse when reverses a move from External [lot.reversal-invalid]",
            "Unrestricted --> Unrestricted : Reverse when reverses a move from Unrestricted [lot.reversal-invalid]",
            "Unrestricted --> QualityInspection : Reverse when reverses a move from QualityInspection [lot.reversal-invalid]",
            "Unrestricted --> Blocked : Reverse when reverses a move from Blocked [lot.reversal-invalid]",
            "Unrestricted --> RestrictedUse : Reverse when reverses a move from RestrictedUse [lot.reversal-invalid]",
            "Unrestricted --> InTransit : Reverse when reverses a move from InTransit [lot.reversal-invalid]",
            "Unrestricted --> InTransfer : Reverse when reverses a move from InTransfer [lot.reversal-invalid]",
            "QualityInspection --> External : Reverse when reverses a move from External [lot.reversal-invalid]",
            "QualityInspection --> Unrestricted : Reverse when reverses a move from Unrestricted [lot.reversal-invalid]",
            "QualityInspection --> QualityInspection : Reverse when reverses a move from QualityInspection [lot.reversal-invalid]",
            "QualityInspection --> Blocked : Reverse when reverses a move from Blocked [lot.reversal-invalid]",
            "QualityInspection --> InTransit : Reverse when reverses a move from InTransit [lot.reversal-invalid]",
            "QualityInspection --> InTransfer : Reverse when reverses a move from InTransfer [lot.reversal-invalid]",
            "Blocked --> External : Reverse when reverses a move from External [lot.reversal-invalid]",
            "Blocked --> Unrestricted : Reverse when reverses a move from Unrestricted [lot.reversal-invalid]",
            "Blocked --> QualityInspection : Reverse when reverses a move from QualityInspection [lot.reversal-invalid]",
            "Blocked --> Blocked : Reverse when reverses a move from Blocked [lot.reversal-invalid]",
            "Blocked --> InTransit : Reverse when reverses a move from InTransit [lot.reversal-invalid]",
            "Blocked --> InTransfer : Reverse when reverses a move from InTransfer [lot.reversal-invalid]",
            "RestrictedUse --> External : Reverse when reverses a move from External [lot.reversal-invalid]",
            "RestrictedUse --> Unrestricted : Reverse when reverses a move from Unrestricted [lot.reversal-invalid]",
            "RestrictedUse --> QualityInspection : Reverse when reverses a move from QualityInspection [lot.reversal-invalid]",
            "RestrictedUse --> Blocked : Reverse when reverses a move from Blocked [lot.reversal-invalid]",
            "RestrictedUse --> RestrictedUse : Reverse when reverses a move from RestrictedUse [lot.reversal-invalid]",
            "RestrictedUse --> InTransit : Reverse when reverses a move from InTransit [lot.reversal-invalid]",
            "RestrictedUse --> InTransfer : Reverse when reverses a move from InTransfer [lot.reversal-invalid]",
            "Scrapped --> Unrestricted : Reverse when reverses a move from Unrestricted [lot.reversal-invalid]",
            "Scrapped --> QualityInspection : Reverse when reverses a move from QualityInspection [lot.reversal-invalid]",
            "Scrapped --> Blocked : Reverse when reverses a move from Blocked [lot.reversal-invalid]",
            "Scrapped --> RestrictedUse : Reverse when reverses a move from RestrictedUse [lot.reversal-invalid]");
    }

    [Fact]
    public void GetInfo_DynamicTransitions_NameTheCriterionTheySelectBy()
    {
        static IEnumerable<string> Selectors(Stateless.Reflection.StateMachineInfo info) =>
            info.States.SelectMany(s => s.DynamicTransitions.Select(t => $"{s.UnderlyingState} {t.Trigger.UnderlyingTrigger}: {t.DestinationStateSelectorDescription.Description}"));

        Selectors(LotStockMachine.GetInfo()).Should().Equal(
            "External Receive: the receiving category",
            "External CountSurplus: the counted category",
            "External Reverse: the original source",
            "InTransit ReceiveFromTransit: the receiving category",
            "InTransit Reverse: the original source",
            "InTransfer ReceiveFromTransit: the receiving category",
            "InTransfer Reverse: the original source",
            "Unrestricted TransferOut: the transfer stock",
            "Unrestricted Reverse: the original source",
            "QualityInspection ToUnrestricted: usage decision accept",
            "QualityInspection Reverse: the original source",
            "Blocked ToUnrestricted: MRB release",
            "Blocked Reverse: the original source",
            "RestrictedUse Reverse: the original source",
            "Scrapped Reverse: the original source");
        Selectors(ProductionOrderMachine.GetInfo()).Should().Equal(
            "TechnicallyCompleted RevokeTechnicalCompletion: by confirmed quantity",
            "Closed RevokeClose: by confirmed quantity",
            "Held ReleaseHold: the status before the hold");
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

using System.Text;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Traceability;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Scenarios.Tests.Docs;

/// <summary>
/// The section "Operations each shipped workflow needs" of docs/adapters.md is generated from what the shipped workflows
/// declare (<see cref="WorkflowDefinition.RequiredOperations"/>, <see cref="WorkflowDefinition.OptionalOperations"/>), as
/// <c>AddShippedScenarios()</c> and <c>AddGoodsReceipt()</c> register them. When this fails, run the test with
/// MO_UPDATE_DOCS=1 to rewrite the section, and commit it.
/// </summary>
public sealed class ShippedWorkflowOperationsDocTests
{
    private const string Begin = "<!-- shipped-workflow-operations:begin -->";
    private const string End = "<!-- shipped-workflow-operations:end -->";

    [Fact]
    public async Task AdaptersDoc_ListsTheOperationsEveryShippedWorkflowDeclares()
    {
        var path = Path.Combine(RepositoryRoot.Path, "docs", "adapters.md");
        var (workflows, operations) = await ShippedWorkflowsAsync();
        var expected = Render(workflows, operations);
        if (Environment.GetEnvironmentVariable("MO_UPDATE_DOCS") == "1")
        {
            var text = File.ReadAllText(path).ReplaceLineEndings("\n");
            var (start, end) = Section(text);
            if (start >= 0)
            {
                File.WriteAllText(path, string.Concat(text.AsSpan(0, start), expected, text.AsSpan(end)));
            }
        }

        var current = File.ReadAllText(path).ReplaceLineEndings("\n");
        var (from, to) = Section(current);
        from.Should().BeGreaterThanOrEqualTo(0, $"docs/adapters.md holds the generated section between '{Begin}' and '{End}'");
        current[from..to].Should().Be(expected, "docs/adapters.md must list the operations of exactly the shipped workflows; rerun with MO_UPDATE_DOCS=1");
    }

    [Fact]
    public async Task ShippedWorkflows_DeclareOnlyRegisteredOperations_AndEveryOneIsDocumentedOnce()
    {
        var (workflows, operations) = await ShippedWorkflowsAsync();

        workflows.Should().NotBeEmpty();
        workflows.Select(w => w.Id).Should().OnlyHaveUniqueItems();
        workflows.SelectMany(w => w.RequiredOperations.Concat(w.OptionalOperations))
            .Where(kind => !operations.TryGet(kind, out _))
            .Should().BeEmpty("a shipped workflow declares built-in operations only");
        workflows.Should().OnlyContain(w => !w.RequiredOperations.Intersect(w.OptionalOperations).Any());
    }

    /// <summary>
    /// The section between the markers, for a reader: one heading and table per shipped workflow, ordered by workflow id,
    /// required operations before optional ones, each group in ordinal order.
    /// </summary>
    internal static string Render(IReadOnlyCollection<WorkflowDefinition> workflows, OperationRegistry operations)
    {
        var builder = new StringBuilder();
        builder.Append("\n\n");
        foreach (var workflow in workflows.OrderBy(w => w.Id, StringComparer.Ordinal))
        {
            builder.Append("### `").Append(workflow.Id).Append("`\n\n");
            if (!string.IsNullOrWhiteSpace(workflow.Description))
            {
                builder.Append(workflow.Description.Trim()).Append('\n');
            }

            builder.Append("Triggered by ").AppendJoin(", ", workflow.Triggers.Order(StringComparer.Ordinal).Select(t => $"`{t}`")).Append(".\n\n");
            var rows = workflow.RequiredOperations.Order(StringComparer.Ordinal).Select(kind => (Kind: kind, Needed: "required"))
                .Concat(workflow.OptionalOperations.Order(StringComparer.Ordinal).Select(kind => (Kind: kind, Needed: "if available")))
                .ToList();
            if (rows.Count == 0)
            {
                builder.Append("It needs no adapter operation.\n\n");
                continue;
            }

            builder.Append("| operation | needed | type | request |\n|---|---|---|---|\n");
            foreach (var (kind, needed) in rows)
            {
                builder.Append("| `").Append(kind).Append("` | ").Append(needed).Append(" | ");
                if (operations.TryGet(kind, out var operation))
                {
                    builder.Append(operation.Type == OperationType.Command ? "command" : "query").Append(" | `").Append(operation.RequestType.Name).Append("` |\n");
                }
                else
                {
                    builder.Append("not registered | — |\n");
                }
            }

            builder.Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>Composes the shipped workflows as a host does, on the simulators, and returns them with the operations the composition knows.</summary>
    private static async Task<(IReadOnlyList<WorkflowDefinition> Workflows, OperationRegistry Operations)> ShippedWorkflowsAsync()
    {
        using var plant = new PlantSimulator();
        var adapters = plant.AddTo(new AdapterSet())
            .Add(CommandKinds.TraceabilitySystem, new TraceabilityRepositoryAdapter(new InMemoryTraceabilityRepository()));
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo
            .UseInMemoryStore()
            .UseAdapters(adapters)
            .AddSite(new SiteProfile { Id = new SiteId("P1"), HoldLocation = new BinId("HOLD-P1") })
            .AddShippedScenarios()
            .AddGoodsReceipt());
        await using var provider = services.BuildServiceProvider();

        // Resolving the options runs the start-up check too: the simulators and a traceability repository carry out
        // everything the shipped workflows require.
        var options = provider.GetRequiredService<IOptions<OrchestratorOptions>>().Value;
        return (options.Workflows.ToList(), options.Adapters.Operations);
    }

    /// <summary>Where the generated text starts (after the begin marker) and ends (at the end marker); -1 when a marker is missing.</summary>
    private static (int Start, int End) Section(string text)
    {
        var begin = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = begin < 0 ? -1 : text.IndexOf(End, begin, StringComparison.Ordinal);
        return begin < 0 || end < 0 ? (-1, -1) : (begin + Begin.Length, end);
    }
}

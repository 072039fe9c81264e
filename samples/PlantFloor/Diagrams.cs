using System.Text;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Samples.PlantFloor;

/// <summary>Writes the Mermaid diagrams of the state machines and of the workflows a run used to one Markdown file.</summary>
public static class Diagrams
{
    /// <summary>Writes the file.</summary>
    /// <param name="path">The Markdown file.</param>
    /// <param name="workflows">The workflows the run used.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when written.</returns>
    public static async Task WriteAsync(string path, IEnumerable<WorkflowDefinition> workflows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflows);
        var text = new StringBuilder();
        text.AppendLine("# Plant floor: the state machines and workflows of the run").AppendLine();
        text.AppendLine("## State machines").AppendLine();
        Section(text, "Lot stock categories (`LotStockMachine`)", LotStockMachine.ToMermaid());
        Section(text, "Production order (`ProductionOrderMachine`)", ProductionOrderMachine.ToMermaid());
        Section(text, "Nonconformance / MRB (`NonconformanceMachine`)", NonconformanceMachine.ToMermaid());
        text.AppendLine("## Workflows").AppendLine();
        foreach (var workflow in workflows.OrderBy(w => w.Id, StringComparer.Ordinal))
        {
            Section(text, $"`{workflow.Id}` — {workflow.Description} (fingerprint `{workflow.Fingerprint[..12]}`)", workflow.ToMermaid());
        }

        await File.WriteAllTextAsync(path, text.ToString(), cancellationToken);
    }

    private static void Section(StringBuilder text, string title, string mermaid) =>
        text.AppendLine("### " + title).AppendLine().AppendLine("```mermaid").AppendLine(mermaid.TrimEnd()).AppendLine("```").AppendLine();
}

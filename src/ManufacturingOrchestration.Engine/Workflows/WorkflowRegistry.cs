using System.Collections.Frozen;

namespace ManufacturingOrchestration.Engine.Workflows;

/// <summary>
/// The workflows an orchestrator runs, by name and version. New events start the latest version of each workflow
/// they trigger; instances that wait keep the version they started on, so older versions stay registered.
/// Immutable once built; lookups are lock-free.
/// </summary>
public sealed class WorkflowRegistry
{
    private readonly FrozenDictionary<string, WorkflowDefinition[]> _latestByTrigger;
    private readonly FrozenDictionary<string, WorkflowDefinition> _byId;
    private readonly FrozenDictionary<string, WorkflowDefinition> _latestByName;

    /// <summary>Creates a registry.</summary>
    /// <param name="workflows">The definitions; a (name, version) pair may appear once.</param>
    public WorkflowRegistry(IEnumerable<WorkflowDefinition> workflows)
    {
        ArgumentNullException.ThrowIfNull(workflows);
        var byId = new Dictionary<string, WorkflowDefinition>(StringComparer.Ordinal);
        foreach (var workflow in workflows)
        {
            if (!byId.TryAdd(workflow.Id, workflow))
            {
                throw new ArgumentException($"Workflow '{workflow.Id}' is registered twice.", nameof(workflows));
            }
        }

        var latest = byId.Values.GroupBy(w => w.Name, StringComparer.Ordinal).Select(g => g.MaxBy(w => w.Version)!).ToArray();
        _latestByTrigger = latest
            .SelectMany(w => w.Triggers.Select(t => (Trigger: t, Workflow: w)))
            .GroupBy(x => x.Trigger, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.Select(x => x.Workflow).OrderBy(w => w.Name, StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        _byId = byId.ToFrozenDictionary(StringComparer.Ordinal);
        _latestByName = latest.ToFrozenDictionary(w => w.Name, StringComparer.Ordinal);
        All = byId.Values.OrderBy(w => w.Name, StringComparer.Ordinal).ThenBy(w => w.Version).ToArray();
    }

    /// <summary>Every registered definition.</summary>
    public IReadOnlyList<WorkflowDefinition> All { get; }

    /// <summary>The latest version of each workflow an event type starts.</summary>
    /// <param name="eventType">The event type.</param>
    /// <returns>The workflows, by name.</returns>
    public IReadOnlyList<WorkflowDefinition> ForEventType(string eventType) =>
        _latestByTrigger.TryGetValue(eventType, out var workflows) ? workflows : [];

    /// <summary>Finds a definition by name and version.</summary>
    /// <param name="name">The name.</param>
    /// <param name="version">The version.</param>
    /// <returns>The definition, or <see langword="null"/>.</returns>
    public WorkflowDefinition? Find(string name, int version) =>
        _byId.TryGetValue($"{name}@{version}", out var workflow) ? workflow : null;

    /// <summary>The latest registered version of a workflow, or <see langword="null"/>.</summary>
    internal WorkflowDefinition? FindLatest(string name) => _latestByName.GetValueOrDefault(name);
}

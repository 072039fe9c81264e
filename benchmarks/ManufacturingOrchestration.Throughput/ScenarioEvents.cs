using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.StandardScenario;

namespace ManufacturingOrchestration.Throughput;

/// <summary>
/// The scenario's events as a run's publishers take them, batch by batch and in the scenario's order: from an array
/// built before the clock starts, or made as they are taken (a burst then holds only the batches being published).
/// </summary>
internal sealed class ScenarioEvents
{
    private readonly EventEnvelope[]? _built;
    private readonly IEnumerator<EventEnvelope>? _made;
    private readonly Lock _gate = new();
    private int _next;

    /// <summary>Prepares the events of a scenario.</summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="buildAhead">Whether every envelope is built now, or each as it is taken.</param>
    public ScenarioEvents(InspectionScenario scenario, bool buildAhead)
    {
        Count = scenario.EventCount;
        if (buildAhead)
        {
            _built = scenario.CreateEvents();
        }
        else
        {
            _made = scenario.Events().GetEnumerator();
        }
    }

    /// <summary>How many events there are in all.</summary>
    public int Count { get; }

    /// <summary>Takes the next events, at most <paramref name="max"/>; none once all are taken.</summary>
    /// <param name="max">The most to take.</param>
    /// <returns>The events, in the scenario's order.</returns>
    public IReadOnlyList<EventEnvelope> Take(int max)
    {
        if (_built is not null)
        {
            var start = Interlocked.Add(ref _next, max) - max;
            return start >= _built.Length ? [] : new ArraySegment<EventEnvelope>(_built, start, Math.Min(max, _built.Length - start));
        }

        lock (_gate)
        {
            var batch = new List<EventEnvelope>(Math.Min(max, Count));
            while (batch.Count < max && _made!.MoveNext())
            {
                batch.Add(_made.Current);
            }

            return batch;
        }
    }
}

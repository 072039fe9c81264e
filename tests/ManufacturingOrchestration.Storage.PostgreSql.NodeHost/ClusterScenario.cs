namespace ManufacturingOrchestration.Storage.PostgreSql.NodeHost;

/// <summary>One event of the cluster scenario.</summary>
internal sealed record ClusterScenarioEvent(int Lot, string LotId, string EventId, bool Failed, long Sequence);

/// <summary>
/// The deterministic event list of the multi-process cluster test, shared by the node host (which publishes its share)
/// and the test (which checks the outcome): every lot gets a failed inspection and then passed ones (refused by the lot
/// state machine, audited), in sequence order; lots are interleaved by a seeded shuffle. Node k publishes the lots whose
/// number modulo the node count is k, so each lot's events are published by one node, in order.
/// </summary>
internal static class ClusterScenario
{
    public const string Source = "qms://plant-1";

    public static string LotId(int lot) => $"L-{lot:D5}";

    public static IReadOnlyList<ClusterScenarioEvent> Events(int lots, int eventsPerLot, int seed)
    {
        var next = new int[lots];
        var random = new Random(seed);
        var open = Enumerable.Range(0, lots).ToList();
        var result = new List<ClusterScenarioEvent>(lots * eventsPerLot);
        while (open.Count > 0)
        {
            var pick = random.Next(open.Count);
            var lot = open[pick];
            var sequence = ++next[lot];
            var lotId = LotId(lot);
            result.Add(new ClusterScenarioEvent(lot, lotId, $"evt-{lotId}-{sequence}", sequence == 1, sequence));
            if (next[lot] == eventsPerLot)
            {
                open[pick] = open[^1];
                open.RemoveAt(open.Count - 1);
            }
        }

        return result;
    }
}

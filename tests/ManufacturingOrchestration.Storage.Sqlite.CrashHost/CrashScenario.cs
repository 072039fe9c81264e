namespace ManufacturingOrchestration.Storage.Sqlite.CrashHost;

/// <summary>One event of the crash scenario.</summary>
internal sealed record CrashScenarioEvent
{
    public required int Index { get; init; }

    public required string Lot { get; init; }

    public required string EventId { get; init; }

    public required bool Failed { get; init; }

    public required long Sequence { get; init; }
}

/// <summary>
/// The deterministic event list of the crash test, shared by the host (which publishes it) and the test (which checks
/// the outcome against it). Even lots get a failed inspection followed by two passed ones (which the lot state machine
/// refuses, audited); odd lots get one passed inspection. Lots are interleaved by a seeded shuffle, each lot's events
/// in sequence order.
/// </summary>
internal static class CrashScenario
{
    public const string Source = "qms://plant-1";

    public static string LotId(int lot) => $"L-{lot:D5}";

    public static IReadOnlyList<CrashScenarioEvent> Events(int lots, int seed)
    {
        var queues = new List<Queue<(bool Failed, long Sequence)>>(lots);
        for (var lot = 0; lot < lots; lot++)
        {
            var queue = new Queue<(bool, long)>();
            if (lot % 2 == 0)
            {
                queue.Enqueue((true, 1));
                queue.Enqueue((false, 2));
                queue.Enqueue((false, 3));
            }
            else
            {
                queue.Enqueue((false, 1));
            }

            queues.Add(queue);
        }

        var random = new Random(seed);
        var open = Enumerable.Range(0, lots).ToList();
        var result = new List<CrashScenarioEvent>();
        while (open.Count > 0)
        {
            var pick = random.Next(open.Count);
            var lot = open[pick];
            var (failed, sequence) = queues[lot].Dequeue();
            var lotId = LotId(lot);
            result.Add(new CrashScenarioEvent { Index = result.Count, Lot = lotId, EventId = $"evt-{lotId}-{sequence}", Failed = failed, Sequence = sequence });
            if (queues[lot].Count == 0)
            {
                open[pick] = open[^1];
                open.RemoveAt(open.Count - 1);
            }
        }

        return result;
    }
}

namespace ManufacturingOrchestration.Engine.Tests.Execution;

/// <summary>Fake clocks of nodes moved on together until something holds, within a limit of real time.</summary>
internal static class NodeClocks
{
    /// <summary>
    /// Moves the nodes' clocks a second at a time until <paramref name="condition"/> holds; <see langword="false"/> when it
    /// did not within <paramref name="limit"/> of real time (the test's own cancellation still throws).
    /// </summary>
    public static async Task<bool> AdvanceUntilAsync(Func<Task<bool>> condition, TimeSpan limit, params EngineTestHost[] nodes)
    {
        var ct = TestContext.Current.CancellationToken;
        using var within = CancellationTokenSource.CreateLinkedTokenSource(ct);
        within.CancelAfter(limit);
        while (!await condition())
        {
            if (within.IsCancellationRequested)
            {
                ct.ThrowIfCancellationRequested();
                return false;
            }

            foreach (var node in nodes)
            {
                node.Time.Advance(TimeSpan.FromSeconds(1));
            }

            try
            {
                await Task.Delay(20, within.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }
        }

        return true;
    }
}

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>
/// Which store commits are between their write and the moment their audit heads reach
/// <see cref="OrchestratorRuntime.Heads"/>: a checkpoint that looked at the audit feed's end waits for every commit
/// that began before it looked, so that each record up to that end is in the heads it checkpoints.
/// </summary>
/// <remarks>
/// A commit enters in the current epoch and exits after <see cref="OrchestratorRuntime.NotifyCommitted"/>. A waiter moves
/// the epoch on and waits until the commits of the earlier one have exited: new commits count in the new epoch, so the
/// wait ends however busy the workers are. Two counters (by the epoch's parity) suffice, because one wait runs at a time
/// and each wait empties the counter the next epoch reuses. A commit re-checks the epoch after counting itself, so one
/// that read the epoch just before it moved counts in the epoch it is waited for in.
/// </remarks>
internal sealed class CommitEpochs
{
    private readonly long[] _inFlight = new long[2];
    private readonly TaskCompletionSource?[] _drained = new TaskCompletionSource?[2];
    private int _epoch;

    /// <summary>Counts a commit in the current epoch; pass the result to <see cref="Exit"/>.</summary>
    public int Enter()
    {
        while (true)
        {
            var epoch = Volatile.Read(ref _epoch);
            var slot = epoch & 1;
            Interlocked.Increment(ref _inFlight[slot]);
            if (Volatile.Read(ref _epoch) == epoch)
            {
                return slot;
            }

            Exit(slot);
        }
    }

    /// <summary>Ends a commit counted by <see cref="Enter"/> (after its heads are noted, or after it failed).</summary>
    public void Exit(int slot)
    {
        if (Interlocked.Decrement(ref _inFlight[slot]) == 0)
        {
            Volatile.Read(ref _drained[slot])?.TrySetResult();
        }
    }

    /// <summary>
    /// Moves the epoch on and waits until every commit that entered before has exited. One caller at a time.
    /// </summary>
    /// <returns><see langword="true"/> when they all exited; <see langword="false"/> when <paramref name="limit"/> passed first.</returns>
    public async Task<bool> WaitForEarlierAsync(TimeSpan limit, TimeProvider time, CancellationToken cancellationToken)
    {
        var earlier = (Interlocked.Increment(ref _epoch) - 1) & 1;
        while (true)
        {
            // Installed before the count is read: an exit that empties the count after the read completes this one.
            var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _drained[earlier], drained);
            if (Interlocked.Read(ref _inFlight[earlier]) == 0)
            {
                return true;
            }

            try
            {
                await drained.Task.WaitAsync(limit, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
    }
}

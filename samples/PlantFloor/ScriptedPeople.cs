using System.Collections.Concurrent;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.Samples.PlantFloor;

/// <summary>
/// The people on shift, scripted so the run completes unattended. The supervisor signs every approval the plant's
/// partitions wait for as soon as it appears — except one, which they answer only after its SLA deadline (so the
/// breach and its escalation are visible). The orchestration operator watches the dead letters: a failed ERP posting
/// is replayed (same idempotency key) once the fault is cleared; anything else is skipped with a reason.
/// </summary>
public sealed class ScriptedPeople
{
    private readonly SampleHost _host;
    private readonly ConcurrentDictionary<string, byte> _waitingKeys;
    private readonly ConcurrentDictionary<string, byte> _answered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DeadLetterOutcome> _deadLetters = new(StringComparer.Ordinal);
    private string? _lateRequest;
    private int _signed;
    private int _late;

    /// <summary>Creates the people.</summary>
    /// <param name="host">The running orchestrator.</param>
    /// <param name="approvalKeys">The partitions whose events may wait for a signature.</param>
    public ScriptedPeople(SampleHost host, IEnumerable<string> approvalKeys)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(approvalKeys);
        _host = host;
        _waitingKeys = new ConcurrentDictionary<string, byte>(approvalKeys.Select(k => KeyValuePair.Create(k, (byte)0)), StringComparer.Ordinal);
    }

    /// <summary>Approvals signed so far.</summary>
    public int Signed => Volatile.Read(ref _signed);

    /// <summary>Approvals answered after their deadline on purpose.</summary>
    public int Late => Volatile.Read(ref _late);

    /// <summary>Approvals seen waiting right now (at the last look).</summary>
    public int Waiting { get; private set; }

    /// <summary>Dead letters seen and what was done.</summary>
    public IReadOnlyList<DeadLetterOutcome> DeadLetters => [.. _deadLetters.Values.OrderBy(d => d.Id, StringComparer.Ordinal)];

    /// <summary>Dead letters resolved so far.</summary>
    public int Resolved => _deadLetters.Values.Count(d => d.Resolved);

    /// <summary>One round: sign what waits, resolve what failed.</summary>
    /// <param name="cancellationToken">Cancels the round.</param>
    /// <returns>Whether anything is still waiting for a person (an approval or an open dead letter).</returns>
    public async Task<bool> ActAsync(CancellationToken cancellationToken)
    {
        var waiting = 0;
        foreach (var key in _waitingKeys.Keys)
        {
            var pending = await _host.Orchestrator.GetPendingApprovalsAsync(key, cancellationToken);
            waiting += pending.Count;
            foreach (var request in pending)
            {
                if (_answered.ContainsKey(request.RequestId))
                {
                    continue;
                }

                // The first request of the shift is answered late: the supervisor was on the line.
                _lateRequest ??= request.RequestId;
                var now = _host.Time.GetUtcNow();
                var isLate = request.RequestId == _lateRequest;
                if (isLate && request.DueAt is { } due && now < due + TimeSpan.FromMilliseconds(300))
                {
                    continue;
                }

                var signature = await _host.SignAsync(request, key, approve: true, isLate ? "Answered late: was on the line during the changeover." : "Reviewed and approved.", cancellationToken);
                if (signature.Refusal == ReasonCodes.LeaseLost || signature.Refusal == ReasonCodes.StoreUnavailable || signature.Refusal == ReasonCodes.ActorDirectoryUnavailable)
                {
                    // Nothing of the signature was recorded: the partition's bucket moved (or its node lost power), or the
                    // store or the directory failed for a moment. The console sends it again at the next round.
                    continue;
                }

                _answered.TryAdd(request.RequestId, 0);
                Interlocked.Increment(ref _signed);
                if (isLate)
                {
                    Interlocked.Increment(ref _late);
                }
            }
        }

        Waiting = waiting;
        var open = await _host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, cancellationToken);
        foreach (var earlier in _deadLetters.Values.Where(d => !d.Resolved && !open.Any(o => o.Id == d.Id)).ToArray())
        {
            // Only the operator closes a dead letter: one no longer open after a try whose answer was lost (its node lost
            // power after committing the action) was closed by that try.
            _deadLetters[earlier.Id] = new DeadLetterOutcome { Id = earlier.Id, Kind = earlier.Kind, PartitionKey = earlier.PartitionKey, Action = earlier.Action, Resolved = true };
        }

        foreach (var deadLetter in open)
        {
            if (_deadLetters.TryGetValue(deadLetter.Id, out var seen) && seen.Resolved)
            {
                continue;
            }

            var kind = deadLetter.Command?.Kind ?? "event";
            var replay = kind.StartsWith("erp.", StringComparison.Ordinal);
            var result = await _host.ActAsync(
                new OperatorRequest
                {
                    DeadLetterId = deadLetter.Id,
                    Action = replay ? OperatorActionKind.Replay : OperatorActionKind.Skip,
                    Reason = replay ? "ERP posting period reopened; fault cleared, replaying with the same key." : "Alert passed on by phone; skipping the notification.",
                },
                deadLetter.PartitionKey,
                TestIdentity.For(Plants.Operator, _host.Time),
                cancellationToken);
            _deadLetters[deadLetter.Id] = new DeadLetterOutcome
            {
                Id = deadLetter.Id,
                Kind = kind,
                PartitionKey = deadLetter.PartitionKey,
                Action = replay ? nameof(OperatorActionKind.Replay) : nameof(OperatorActionKind.Skip),
                Resolved = result.Succeeded,
            };
        }

        return waiting > 0 || open.Count > 0;
    }
}

using System.Collections.Concurrent;
using ManufacturingOrchestration.Engine.Traceability;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing;

/// <summary>
/// A genealogy repository kept in memory, for tests: the latest publication per lot, the idempotency keys applied to
/// it (a publication whose key was applied before changes nothing), and how many publications were written.
/// </summary>
public sealed class InMemoryTraceabilityRepository : ITraceabilityRepository
{
    private readonly ConcurrentDictionary<LotId, TraceabilityRecord> _records = new();
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private int _published;

    /// <summary>Creates an empty repository.</summary>
    /// <param name="timeProvider">The clock that stamps publications; the system clock when <see langword="null"/>.</param>
    public InMemoryTraceabilityRepository(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <summary>How many publications were written (those answered <see cref="TraceabilityPublishStatus.AlreadyPublished"/> do not count).</summary>
    public int PublishedCount => Volatile.Read(ref _published);

    /// <summary>The latest record of every lot published, in no particular order.</summary>
    public IReadOnlyList<TraceabilityRecord> Records => [.. _records.Values];

    /// <inheritdoc />
    public ValueTask<TraceabilityPublishStatus> PublishAsync(GenealogyPublication publication, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publication);
        ArgumentException.ThrowIfNullOrEmpty(publication.IdempotencyKey);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _records.TryGetValue(publication.Lot, out var existing);
            if (TraceabilityRecord.Apply(existing, publication, _time.GetUtcNow(), int.MaxValue) is not { } record)
            {
                return ValueTask.FromResult(TraceabilityPublishStatus.AlreadyPublished);
            }

            _records[publication.Lot] = record;
            _published++;
            return ValueTask.FromResult(TraceabilityPublishStatus.Published);
        }
    }

    /// <inheritdoc />
    public ValueTask<TraceabilityRecord?> GetAsync(LotId lot, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_records.TryGetValue(lot, out var record) ? record : null);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<GenealogyLink>> GetConsumersAsync(LotId componentLot, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<IReadOnlyList<GenealogyLink>>([.. _records.Values.SelectMany(r => r.LinksConsuming(componentLot))]);
    }
}

using ManufacturingOrchestration.Engine.Storage;
using Npgsql;

namespace ManufacturingOrchestration.Storage.PostgreSql;

/// <summary>
/// The group commit. One transaction, in two phases. First, step by step: the state write that is also the version check
/// (an insert only where the key is new, an update only of the expected version), then one batch of the step's other
/// rows (processed events, outbox commands, timers, dead letters, the waiting index). Last, the rows whose positions must
/// become visible in order: under the inbox lock the follow-up events, under the audit lock the audit records — both
/// transaction-scoped advisory locks, taken in that order, after every other write, so a transaction holding them never
/// waits for a row another one holds, and released only when the commit is done. Before all of it, the fence check of the
/// fenced commits share-locks their lease rows (see <see cref="CheckFencesAsync"/>).
/// </summary>
public sealed partial class PostgreSqlOrchestrationStore
{
    /// <inheritdoc />
    public async ValueTask CommitAsync(IReadOnlyList<StepCommit> commits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commits);
        cancellationToken.ThrowIfCancellationRequested();
        if (commits.Count == 0)
        {
            return;
        }

        // Everything that costs CPU and can be checked without the database happens before a connection is taken.
        var prepared = new PreparedCommit[commits.Count];
        for (var i = 0; i < commits.Count; i++)
        {
            prepared[i] = Prepare(commits[i]);
        }

        await WriteAsync(
            async (connection, transaction) =>
            {
                await CheckFencesAsync(connection, transaction, prepared, cancellationToken).ConfigureAwait(false);
                var versions = new Dictionary<string, long>(StringComparer.Ordinal);
                var auditCounts = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach (var commit in prepared)
                {
                    await ApplyAsync(connection, transaction, commit, versions, auditCounts, cancellationToken).ConfigureAwait(false);
                }

                await AppendOrderedAsync(connection, transaction, prepared, cancellationToken).ConfigureAwait(false);
                return 0;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks every fenced commit of the batch against its partition's lease row, before the batch writes anything, and
    /// keeps each matching row share-locked until the transaction ends; throws <see cref="LeaseLostException"/> for the
    /// first commit whose fence no longer matches.
    /// </summary>
    /// <remarks>
    /// Why this fences a node that lost its lease: the lease row only changes hands by an UPDATE (a takeover or a release),
    /// and FOR SHARE conflicts with that UPDATE's row lock (FOR KEY SHARE would not: the update changes no key). Either the
    /// check takes the share lock first — then the takeover waits until this transaction has committed or rolled back, so
    /// the new epoch begins after the commit — or the takeover updated the row first — then the check, under READ
    /// COMMITTED, waits for the takeover to end and evaluates its WHERE against the row the takeover left, whose epoch (or
    /// owner) no longer matches, so no row comes back and nothing is written. No commit lands after a newer epoch exists.
    /// Share locks do not conflict with each other, and the takeover is one statement that holds nothing else, so the
    /// check adds no deadlock with other commits.
    /// </remarks>
    private async ValueTask CheckFencesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PreparedCommit[] prepared, CancellationToken cancellationToken)
    {
        if (!Array.Exists(prepared, static p => p.Commit.Fence is not null))
        {
            return;
        }

        await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = _commandTimeout };
        var fenced = new List<StepCommit>();
        foreach (var commit in prepared)
        {
            if (commit.Commit.Fence is { } fence)
            {
                fenced.Add(commit.Commit);
                batch.BatchCommands.Add(Batch(
                    "SELECT 1 FROM §leases WHERE partition_key = $1 AND owner = $2 AND epoch = $3 FOR SHARE",
                    Text(fence.LeaseKey ?? commit.Commit.PartitionKey),
                    Text(fence.Owner),
                    Bigint(fence.Epoch)));
            }
        }

        await using var rows = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < fenced.Count; i++)
        {
            if (i > 0)
            {
                await rows.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new LeaseLostException(fenced[i].PartitionKey, fenced[i].Fence!);
            }
        }
    }

    private PreparedCommit Prepare(StepCommit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        commit.ThrowIfInconsistent();
        byte[]? state = null;
        IReadOnlyCollection<string> waiting = [];
        if (commit.NewState is { } newState)
        {
            state = StoredRecordJson.Write(newState);
            waiting = WaitingValues(newState);
        }

        var commands = new PreparedCommand[commit.NewCommands.Count + commit.UpdatedCommands.Count];
        var c = 0;
        foreach (var entry in commit.NewCommands)
        {
            commands[c++] = PrepareCommand(entry, isUpdate: false);
        }

        foreach (var entry in commit.UpdatedCommands)
        {
            commands[c++] = PrepareCommand(entry, isUpdate: true);
        }

        var audit = new byte[commit.Audit.Count][];
        for (var i = 0; i < audit.Length; i++)
        {
            audit[i] = StoredRecordJson.Write(commit.Audit[i]);
        }

        var followUps = new byte[commit.FollowUpEvents.Count][];
        for (var i = 0; i < followUps.Length; i++)
        {
            followUps[i] = _serializer.SerializeToUtf8Bytes(commit.FollowUpEvents[i].Envelope);
        }

        var deadLetters = new byte[commit.DeadLetters.Count][];
        for (var i = 0; i < deadLetters.Length; i++)
        {
            deadLetters[i] = StoredRecordJson.Write(commit.DeadLetters[i]);
        }

        return new PreparedCommit(commit, state, waiting, commands, audit, followUps, deadLetters);
    }

    private static PreparedCommand PrepareCommand(OutboxEntry entry, bool isUpdate)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new PreparedCommand(
            entry,
            isUpdate,
            entry.Payload.Utf8Json.ToArray(),
            entry.Compensation is { } compensation ? compensation.Payload.Utf8Json.ToArray() : null);
    }

    /// <summary>The distinct <see cref="WorkflowInstanceState.WaitingFor"/> values of a state's instances.</summary>
    private static IReadOnlyCollection<string> WaitingValues(PartitionState state)
    {
        if (state.Instances.Count == 0)
        {
            return [];
        }

        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instance in state.Instances)
        {
            values.Add(instance.WaitingFor);
        }

        return values;
    }

    private async ValueTask ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PreparedCommit prepared, Dictionary<string, long> versions, Dictionary<string, long> auditCounts, CancellationToken cancellationToken)
    {
        var commit = prepared.Commit;
        var key = commit.PartitionKey;
        var known = versions.TryGetValue(key, out var current);
        if (known && current != commit.ExpectedVersion)
        {
            throw new ConcurrencyConflictException(key, commit.ExpectedVersion, current);
        }

        if (prepared.State is { } state)
        {
            // The version check is the write itself; no row written means another version is stored (or a concurrent
            // transaction wrote one first: under READ COMMITTED the update waits for it and then finds no expected version).
            await using var write = commit.ExpectedVersion == 0
                ? Command(connection, transaction, "INSERT INTO §partitions (partition_key, version, state) VALUES ($1, $2, $3) ON CONFLICT (partition_key) DO NOTHING", Text(key), Bigint(commit.NewState!.Version), Bytea(state))
                : Command(connection, transaction, "UPDATE §partitions SET version = $2, state = $3 WHERE partition_key = $1 AND version = $4", Text(key), Bigint(commit.NewState!.Version), Bytea(state), Bigint(commit.ExpectedVersion));
            if (await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                throw new ConcurrencyConflictException(key, commit.ExpectedVersion, await StoredVersionAsync(connection, transaction, key, cancellationToken).ConfigureAwait(false));
            }

            current = commit.NewState.Version;
        }
        else if (!known)
        {
            current = await StoredVersionAsync(connection, transaction, key, cancellationToken).ConfigureAwait(false);
            if (current != commit.ExpectedVersion)
            {
                throw new ConcurrencyConflictException(key, commit.ExpectedVersion, current);
            }
        }

        versions[key] = current;

        await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = _commandTimeout };
        var readAuditHead = prepared.Audit.Length > 0 && !auditCounts.ContainsKey(key);
        if (readAuditHead)
        {
            // First, so that its row is the reader's first result.
            batch.BatchCommands.Add(Batch("SELECT COALESCE(MAX(sequence), 0) FROM §audit WHERE partition_key = $1", Text(key)));
        }

        if (prepared.State is not null)
        {
            // The waiting index follows the state it is derived from, in the same transaction.
            if (commit.ExpectedVersion > 0)
            {
                batch.BatchCommands.Add(Batch("DELETE FROM §partition_waiting WHERE partition_key = $1", Text(key)));
            }

            foreach (var waitingFor in prepared.Waiting)
            {
                batch.BatchCommands.Add(Batch("INSERT INTO §partition_waiting (partition_key, waiting_for) VALUES ($1, $2) ON CONFLICT DO NOTHING", Text(key), Text(waitingFor)));
            }
        }

        // An event whose step planned commands keeps its envelope until pruned: it may have to be decided again when a
        // target refuses one of them as stale (ReadEventAsync).
        var processedSql = commit.NewCommands.Count > 0
            ? "UPDATE §inbox SET processed = true WHERE source = $1 AND event_id = $2 AND NOT processed"
            : "UPDATE §inbox SET processed = true, envelope = NULL WHERE source = $1 AND event_id = $2 AND NOT processed";
        foreach (var processed in commit.ProcessedEvents)
        {
            batch.BatchCommands.Add(Batch(processedSql, Text(processed.Source), Text(processed.Id)));
        }

        foreach (var command in prepared.Commands)
        {
            batch.BatchCommands.Add(WriteCommand(command));
        }

        foreach (var timer in commit.Timers)
        {
            batch.BatchCommands.Add(Batch(
                "INSERT INTO §timers (id, partition_key, due_at, purpose, data) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET partition_key = excluded.partition_key, due_at = excluded.due_at, purpose = excluded.purpose, data = excluded.data",
                Text(timer.Id),
                Text(timer.PartitionKey),
                Bigint(timer.DueAt.UtcTicks),
                Text(timer.Purpose),
                Text(timer.Data)));
        }

        foreach (var timerId in commit.CancelledTimers)
        {
            batch.BatchCommands.Add(Batch("DELETE FROM §timers WHERE id = $1", Text(timerId)));
        }

        for (var i = 0; i < prepared.DeadLetters.Length; i++)
        {
            var deadLetter = commit.DeadLetters[i];
            batch.BatchCommands.Add(Batch(
                "INSERT INTO §dead_letters (id, partition_key, site, at, is_open, record) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET partition_key = excluded.partition_key, site = excluded.site, at = excluded.at, is_open = excluded.is_open, record = excluded.record",
                Text(deadLetter.Id),
                Text(deadLetter.PartitionKey),
                Text(deadLetter.Site),
                Bigint(deadLetter.At.UtcTicks),
                Bool(deadLetter.IsOpen),
                Bytea(prepared.DeadLetters[i])));
        }

        if (batch.BatchCommands.Count > 0)
        {
            await using var rows = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (readAuditHead)
            {
                await rows.ReadAsync(cancellationToken).ConfigureAwait(false);
                auditCounts[key] = rows.GetInt64(0);
            }

            // Through every statement's result, so that an error of any of them is thrown here.
            while (await rows.NextResultAsync(cancellationToken).ConfigureAwait(false))
            {
            }
        }

        if (prepared.Audit.Length > 0)
        {
            var count = auditCounts[key];
            foreach (var record in commit.Audit)
            {
                if (record.Sequence != count + 1)
                {
                    throw new ArgumentException($"Audit record {record.Sequence} of '{key}' does not continue the chain at {count + 1}; nothing was committed.", nameof(prepared));
                }

                count = record.Sequence;
            }

            auditCounts[key] = count;
        }
    }

    /// <summary>The follow-up events and the audit records of the whole batch, each under its advisory lock, in one round trip.</summary>
    private async ValueTask AppendOrderedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PreparedCommit[] prepared, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = _commandTimeout };
        if (Array.Exists(prepared, static p => p.FollowUps.Length > 0))
        {
            batch.BatchCommands.Add(Batch("SELECT pg_advisory_xact_lock($1)", Bigint(_sql.InboxLockKey)));
            foreach (var commit in prepared)
            {
                for (var i = 0; i < commit.FollowUps.Length; i++)
                {
                    batch.BatchCommands.Add(InsertInbox(commit.Commit.FollowUpEvents[i], commit.FollowUps[i], returning: false));
                }
            }

            batch.BatchCommands.Add(Batch("SELECT pg_notify($1, '')", Text(_sql.InboxChannel)));
        }

        if (Array.Exists(prepared, static p => p.Audit.Length > 0))
        {
            batch.BatchCommands.Add(Batch("SELECT pg_advisory_xact_lock($1)", Bigint(_sql.AuditLockKey)));
            foreach (var commit in prepared)
            {
                for (var i = 0; i < commit.Audit.Length; i++)
                {
                    var record = commit.Commit.Audit[i];
                    batch.BatchCommands.Add(Batch(
                        "INSERT INTO §audit (partition_key, sequence, action, recorded_at, record) VALUES ($1, $2, $3, $4, $5)",
                        Text(record.PartitionKey),
                        Bigint(record.Sequence),
                        Text(record.Action),
                        Bigint(record.RecordedAt.UtcTicks),
                        Bytea(commit.Audit[i])));
                }
            }
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<long> StoredVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string key, CancellationToken cancellationToken)
    {
        await using var read = Command(connection, transaction, "SELECT version FROM §partitions WHERE partition_key = $1", Text(key));
        return await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long stored ? stored : 0;
    }

    /// <summary>A commit with everything serialized, ready for the transaction.</summary>
    private sealed record PreparedCommit(StepCommit Commit, byte[]? State, IReadOnlyCollection<string> Waiting, PreparedCommand[] Commands, byte[][] Audit, byte[][] FollowUps, byte[][] DeadLetters);

    /// <summary>An outbox command with its serialized request; an update changes only the life of a stored command.</summary>
    private sealed record PreparedCommand(OutboxEntry Entry, bool IsUpdate, byte[] Request, byte[]? Compensation);
}

using System.Diagnostics;
using System.Reflection;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Storage.Sqlite.CrashHost;
using ManufacturingOrchestration.Testing;
using Microsoft.Data.Sqlite;

namespace ManufacturingOrchestration.Storage.Sqlite.Tests;

/// <summary>
/// The proof that the SQLite store survives kill -9: the orchestrator runs in a child process over thousands of events
/// and is killed (SIGKILL) at seeded random moments, restarted on the same file each time, and at the end nothing is
/// lost, nothing took effect twice, every lot's events were handled in order and the audit trail verifies. A second
/// test kills the host inside its JSON-lines audit sink, between delivery and cursor save, and checks that the file
/// still holds every audit record exactly once, in order.
/// </summary>
public sealed class SqliteCrashRecoveryTests
{
    private const int Lots = 1500; // 3,000 events: even lots get three, odd lots one.
    private const int Kills = 25;
    private readonly TempFolder _folder;
    private readonly ITestOutputHelper _output;

    public SqliteCrashRecoveryTests(TempFolder folder, ITestOutputHelper output)
    {
        _folder = folder;
        _output = output;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Starts and kills the crash host 25 times or more, each start a new .NET process: minutes on a loaded machine,
    // longer than the suite's default test timeout (its own waits allow a minute per start and three for the last run).
    [Fact(Timeout = 15 * 60_000)]
    public async Task Orchestrator_KilledRepeatedlyAtRandomMoments_LosesNothingAndAppliesNothingTwice()
    {
        var seed = Environment.GetEnvironmentVariable("MO_CRASH_SEED") is { Length: > 0 } fixedSeed ? int.Parse(fixedSeed, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next(1, 1_000_000);
        _output.WriteLine($"Crash test seed: {seed} (replay with MO_CRASH_SEED={seed})");
        var folder = _folder.NewFolder("crash");
        var files = new CrashFiles(folder);
        var random = new Random(seed);
        var kills = 0;
        var killedWhilePublishing = 0;

        // Kill at seeded random moments until enough kills have landed; on a fast machine the host can finish before
        // the chosen moment, so the window shrinks whenever that happens (every restart re-publishes recent events,
        // so there is always work to interrupt).
        var window = 900;
        for (var run = 0; kills < Kills && run < Kills * 4; run++)
        {
            using var host = StartHost(files, seed);
            await host.WaitForLineAsync("READY", TimeSpan.FromSeconds(60));
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, window)), TestContext.Current.CancellationToken);
            if (host.HasExited)
            {
                _output.WriteLine($"run {run}: finished before the kill ({host.LastLine})");
                window = Math.Max(20, window / 2);
                continue;
            }

            if (host.LastLine?.StartsWith("PUBLISHED", StringComparison.Ordinal) == true || host.LastLine == "READY")
            {
                killedWhilePublishing++;
            }

            host.Kill();
            kills++;
            _output.WriteLine($"run {run}: killed after '{host.LastLine}'");
        }

        using (var final = StartHost(files, seed))
        {
            await final.WaitForExitAsync(TimeSpan.FromMinutes(3));
            _output.WriteLine($"final run: exit {final.ExitCode}, '{final.LastLine}'");
            final.ExitCode.Should().Be(0, final.Output);
            final.Output.Should().Contain("DONE");
        }

        kills.Should().BeGreaterThanOrEqualTo(20, "the scenario must really be interrupted many times (seed {0})", seed);
        _output.WriteLine($"{kills} kills, {killedWhilePublishing} of them while events were still being published");
        await VerifyOutcomeAsync(files, seed);
    }

    /// <summary>
    /// The JSON-lines audit sink across kill -9: the host is killed right after a batch reached the file and before the
    /// orchestrator saved the sink's cursor (three times), once in the middle of writing a batch (a torn last line), and
    /// twice at random moments; restarted each time on the same files. Afterwards the file holds every audit record of
    /// the store exactly once, in the store's commit order, and every key's chain in it verifies.
    /// </summary>
    [Fact(Timeout = 5 * 60_000)]
    public async Task JsonLinesAuditSink_KilledBetweenDeliveryAndCursorSave_FileHoldsEveryRecordOnceInOrder()
    {
        const int SinkLots = 60; // 120 events
        var seed = Environment.GetEnvironmentVariable("MO_CRASH_SEED") is { Length: > 0 } fixedSeed ? int.Parse(fixedSeed, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next(1, 1_000_000);
        _output.WriteLine($"Audit sink crash test seed: {seed} (replay with MO_CRASH_SEED={seed})");
        var files = new CrashFiles(_folder.NewFolder("sink-crash"));
        var random = new Random(seed);
        string[] sinkArguments = ["--audit-file", files.AuditFile, "--sink-batch", "8"];
        var held = 0;

        // Kills between delivery and cursor save, and one during a write: the host stops itself inside the sink.
        foreach (var interruption in new[] { "--hold-after-sink-write", "--tear-sink-write", "--hold-after-sink-write", "--hold-after-sink-write" })
        {
            var call = random.Next(1, 4).ToString(System.Globalization.CultureInfo.InvariantCulture);
            using var host = StartHost(files, seed, SinkLots, [.. sinkArguments, interruption, call]);
            if (!await host.WaitForLineOrExitAsync("SINK-HELD", TimeSpan.FromSeconds(60)))
            {
                _output.WriteLine($"{interruption} {call}: finished before that call ({host.LastLine})");
                continue;
            }

            host.Kill();
            held++;
            var (cursorCovers, fileHolds, torn) = await SinkStateAsync(files);
            _output.WriteLine($"{interruption} {call}: killed; the cursor covers {cursorCovers} records, the file holds {fileHolds}{(torn ? " and a torn line" : string.Empty)}");
            if (interruption == "--tear-sink-write")
            {
                torn.Should().BeTrue("a kill during the write leaves a torn line (seed {0})", seed);
                fileHolds.Should().BeGreaterThanOrEqualTo(cursorCovers, "the file holds what the cursor covers (seed {0})", seed);
            }
            else
            {
                torn.Should().BeFalse("the batch was written whole (seed {0})", seed);
                fileHolds.Should().BeGreaterThan(cursorCovers, "the file holds a batch whose cursor was not saved (seed {0})", seed);
            }
        }

        for (var kill = 0; kill < 2; kill++)
        {
            using var host = StartHost(files, seed, SinkLots, sinkArguments);
            await host.WaitForLineAsync("READY", TimeSpan.FromSeconds(60));
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 300)), TestContext.Current.CancellationToken);
            _output.WriteLine($"random kill {kill}: {(host.HasExited ? "finished before" : "killed")} after '{host.LastLine}'");
            host.Kill();
        }

        using (var final = StartHost(files, seed, SinkLots, sinkArguments))
        {
            await final.WaitForExitAsync(TimeSpan.FromMinutes(2));
            final.ExitCode.Should().Be(0, final.Output);
            final.Output.Should().Contain("DONE");
        }

        held.Should().BeGreaterThanOrEqualTo(3, "the host must really be stopped inside the sink (seed {0})", seed);
        await using var store = SqliteOrchestrationStore.Open(files.Database, new SqliteStoreOptions { RetentionWindow = null });
        var feed = await store.ReadAuditFeedAsync(0, int.MaxValue, Ct);
        var exported = new List<AuditRecord>();
        await foreach (var record in JsonLinesAuditSink.ReadRecordsAsync(files.AuditFile, Ct))
        {
            exported.Add(record);
        }

        feed.Should().NotBeEmpty();
        exported.Select(r => $"{r.PartitionKey}#{r.Sequence}").Should().Equal(feed.Select(e => $"{e.Record.PartitionKey}#{e.Record.Sequence}"), "the file holds every record once, in commit order (seed {0})", seed);
        exported.Select(r => r.Hash).Should().Equal(feed.Select(e => e.Record.Hash));
        foreach (var chain in exported.GroupBy(r => r.PartitionKey))
        {
            AuditVerifier.VerifyChain(chain.Key, [.. chain], null).Should().BeEmpty("the exported chain of {0} verifies (seed {1})", chain.Key, seed);
        }

        (await store.ReadAuditSinkCursorAsync("audit-file", Ct)).Should().Be(feed[^1].Position);
        _output.WriteLine($"verified: {exported.Count} audit records of {exported.Select(r => r.PartitionKey).Distinct().Count()} keys, {held} kills inside the sink");
    }

    /// <summary>After a kill: how many feed records the saved cursor covers, how many complete records the file holds, and whether it ends in a torn line.</summary>
    private static async Task<(int CursorCovers, int FileHolds, bool Torn)> SinkStateAsync(CrashFiles files)
    {
        int covers;
        await using (var store = SqliteOrchestrationStore.Open(files.Database, new SqliteStoreOptions { RetentionWindow = null }))
        {
            var cursor = await store.ReadAuditSinkCursorAsync("audit-file", Ct);
            covers = (await store.ReadAuditFeedAsync(0, int.MaxValue, Ct)).Count(e => e.Position <= cursor);
        }

        var holds = 0;
        await foreach (var _ in JsonLinesAuditSink.ReadRecordsAsync(files.AuditFile, Ct))
        {
            holds++;
        }

        var bytes = await File.ReadAllBytesAsync(files.AuditFile, Ct);
        return (covers, holds, bytes.Length > 0 && bytes[^1] != (byte)'\n');
    }

    private async Task VerifyOutcomeAsync(CrashFiles files, int seed)
    {
        var events = CrashScenario.Events(Lots, seed);
        var because = $"seed {seed}";

        // Nothing lost: every event is in the inbox, processed; the publisher saw each accepted at most once.
        using (var connection = new SqliteConnection($"Data Source={files.Database};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            Count(connection, "SELECT COUNT(*) FROM inbox").Should().Be(events.Count, because);
            Count(connection, "SELECT COUNT(*) FROM inbox WHERE processed = 0").Should().Be(0, because);
            Count(connection, "SELECT COUNT(*) FROM outbox WHERE status <> 1").Should().Be(0, "every command completed ({0})", because);
        }

        var acceptedLines = File.ReadAllLines(files.Accepted).Where(l => l.Length > 0).ToArray();
        acceptedLines.Should().OnlyHaveUniqueItems("an event is accepted once; later publications are duplicates ({0})", because);

        await using var store = SqliteOrchestrationStore.Open(files.Database, new SqliteStoreOptions { RetentionWindow = null });
        (await store.ReadPendingEventsAsync(null, 0, int.MaxValue, Ct)).Should().BeEmpty(because);
        (await store.ReadDeadLettersAsync(new DeadLetterQuery { OnlyOpen = false }, Ct)).Should().BeEmpty(because);

        // No effect twice: the simulators' crash-proof log has one line per idempotency key.
        var effects = EffectsLogReader.Read(files.Effects);
        effects.Select(e => e.IdempotencyKey).Should().OnlyHaveUniqueItems("no command may take effect twice ({0})", because);

        // Every event's effect exists and each lot's events were handled in order.
        // And the last run's checkpoint pins the end of every chain, the ends killed runs wrote after their last checkpoint included.
        var byLot = events.GroupBy(e => e.Lot).ToDictionary(g => g.Key, g => g.OrderBy(e => e.Sequence).Select(e => e.EventId).ToArray(), StringComparer.Ordinal);
        var categoryChanges = effects.Where(e => e.CommandKind == CommandKinds.ErpChangeStockCategory).GroupBy(e => e.Lot ?? string.Empty).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var checkpoint = await store.ReadLatestCheckpointAsync(Ct);
        checkpoint.Should().NotBeNull(because);
        foreach (var (lot, expected) in byLot)
        {
            var audit = await store.ReadAuditAsync(lot, 1, Ct);
            var handled = audit.Where(r => r.Event is not null).Select(r => r.Event!.Value.Id).Distinct().ToArray();
            handled.Should().Equal(expected, "lot {0} handles its events exactly in publication order ({1})", lot, because);
            categoryChanges.GetValueOrDefault(lot).Should().Be(1, "lot {0} changes stock category in the ERP exactly once ({1})", lot, because);
            checkpoint!.Heads.Should().ContainKey(lot, because);
            checkpoint.Heads[lot].Should().Be(new AuditHead { Count = audit.Count, Hash = audit[^1].Hash }, "the latest checkpoint pins the last record of lot {0} ({1})", lot, because);
        }

        var verification = await new AuditVerifier(store).VerifyAllAsync(Ct);
        verification.IsValid.Should().BeTrue(string.Join("; ", verification.Violations.Select(v => v.Message)));
        verification.ChainsChecked.Should().Be(Lots);
        _output.WriteLine($"verified: {events.Count} events, {effects.Count} effects, {verification.RecordsChecked} audit records");
    }

    /// <summary>
    /// One file, one writer: while a host process has the store open, opening it here is refused with a message naming
    /// the PostgreSQL store; once that process is SIGKILLed the kernel has released its lock and the file opens.
    /// </summary>
    [Fact(Timeout = 3 * 60_000)]
    public async Task Open_WhileAnotherProcessWrites_IsRefused_AndAfterThatProcessIsKilledOpens()
    {
        var files = new CrashFiles(_folder.NewFolder("second-writer"));
        using (var host = StartHost(files, seed: 5, lots: 20, ["--audit-file", files.AuditFile, "--hold-after-sink-write", "1"]))
        {
            await host.WaitForLineAsync("SINK-HELD", TimeSpan.FromSeconds(60));

            var second = () => SqliteOrchestrationStore.Open(files.Database);

            var refused = second.Should().Throw<SqliteStoreInUseException>().Which;
            refused.ReasonCode.Should().Be(Model.ReasonCodes.StoreInUse);
            refused.Message.Should().Contain("ManufacturingOrchestration.Storage.PostgreSql");
            refused.LockPath.Should().Be(files.Database + ".lock");
            host.Kill();
        }

        await using var reopened = SqliteOrchestrationStore.Open(files.Database);
        (await reopened.ReadAuditPartitionsAsync(TestContext.Current.CancellationToken)).Should().NotBeEmpty("the killed host's commits are there");
    }

    private static long Count(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private static HostProcess StartHost(CrashFiles files, int seed) => StartHost(files, seed, Lots, []);

    private static HostProcess StartHost(CrashFiles files, int seed, int lots, string[] extraArguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            CrashHostPath(), "--db", files.Database, "--effects", files.Effects, "--progress", files.Progress, "--accepted", files.Accepted,
            "--lots", lots.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. extraArguments,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new HostProcess(Process.Start(start)!);
    }

    private static string CrashHostPath()
    {
        const string Dll = "ManufacturingOrchestration.Storage.Sqlite.CrashHost.dll";
        var baked = typeof(SqliteCrashRecoveryTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "CrashHostDirectory")?.Value;
        var candidates = new List<string>();
        if (!string.IsNullOrEmpty(baked))
        {
            candidates.Add(Path.Combine(baked, Dll));
        }

        // Artifacts layout: bin/<test project>/<pivots>/ next to bin/<crash host>/<pivots>/.
        var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        if (own.Parent?.Parent is { } bin)
        {
            candidates.Add(Path.Combine(bin.FullName, "ManufacturingOrchestration.Storage.Sqlite.CrashHost", own.Name, Dll));
        }

        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"The crash host was not built; looked in: {string.Join(", ", candidates)}");
    }

    private sealed class CrashFiles
    {
        public CrashFiles(string folder)
        {
            Database = Path.Combine(folder, "orchestrator.db");
            Effects = Path.Combine(folder, "effects.jsonl");
            Progress = Path.Combine(folder, "progress.txt");
            Accepted = Path.Combine(folder, "accepted.txt");
            AuditFile = Path.Combine(folder, "audit.jsonl");
        }

        public string Database { get; }

        public string Effects { get; }

        public string Progress { get; }

        public string Accepted { get; }

        public string AuditFile { get; }
    }

    /// <summary>A running crash host whose output lines are collected as they arrive.</summary>
    private sealed class HostProcess : IDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _output = new();
        private readonly Lock _gate = new();
        private readonly List<(string Line, TaskCompletionSource Seen)> _waiters = [];
        private string? _lastLine;

        public HostProcess(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => OnLine(e.Data);
            _process.ErrorDataReceived += (_, e) => OnLine(e.Data is null ? null : "stderr: " + e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public bool HasExited => _process.HasExited;

        public int ExitCode => _process.ExitCode;

        public string? LastLine
        {
            get
            {
                lock (_gate)
                {
                    return _lastLine;
                }
            }
        }

        public string Output
        {
            get
            {
                lock (_gate)
                {
                    return _output.ToString();
                }
            }
        }

        public async Task WaitForLineAsync(string line, TimeSpan timeout)
        {
            TaskCompletionSource seen;
            lock (_gate)
            {
                if (_output.ToString().Contains(line + "\n", StringComparison.Ordinal))
                {
                    return;
                }

                seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((line, seen));
            }

            var exited = _process.WaitForExitAsync(Ct);
            var first = await Task.WhenAny(seen.Task, exited).WaitAsync(timeout, Ct);
            if (first != seen.Task && !seen.Task.IsCompleted)
            {
                throw new InvalidOperationException($"The crash host exited before printing {line}: {Output}");
            }
        }

        /// <summary>Waits for a line; <see langword="false"/> when the host exited without printing it.</summary>
        public async Task<bool> WaitForLineOrExitAsync(string line, TimeSpan timeout)
        {
            try
            {
                await WaitForLineAsync(line, timeout);
                return true;
            }
            catch (InvalidOperationException) when (_process.HasExited)
            {
                return false;
            }
        }

        public async Task WaitForExitAsync(TimeSpan timeout) => await _process.WaitForExitAsync(Ct).WaitAsync(timeout, Ct);

        public void Kill()
        {
            // Process.Kill on Linux sends SIGKILL: no finally blocks, no flushes, no graceful shutdown.
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
        }

        private void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_gate)
            {
                _output.Append(line).Append('\n');
                _lastLine = line;
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (line == _waiters[i].Line)
                    {
                        _waiters[i].Seen.TrySetResult();
                        _waiters.RemoveAt(i);
                    }
                }
            }
        }
    }
}

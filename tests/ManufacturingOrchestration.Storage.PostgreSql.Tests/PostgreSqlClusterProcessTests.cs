using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Scenarios;
using ManufacturingOrchestration.Storage.PostgreSql.NodeHost;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.Storage.PostgreSql.Tests;

/// <summary>
/// Three node host processes on one PostgreSQL schema (the test's private server): 2,000 events over 200 lots, each lot
/// published by one node; then one node is killed (SIGKILL) and one is stopped (SIGSTOP) past its lease and continued
/// (SIGCONT). Afterwards every event is processed once, in order, the killed node's work is finished by the others, the
/// stopped node found its leases lost, no node applied an effect twice, every audit chain is valid, and each lot's SLA
/// timer (a step deadline, see <see cref="SlaProbe"/>) fired once.
/// </summary>
/// <remarks>Two fixed seeds; more through <c>MO_CLUSTER_SEEDS</c> (comma-separated).</remarks>
public sealed class PostgreSqlClusterProcessTests
{
    private const int Lots = 200;
    private const int EventsPerLot = 10;
    private const int LeaseMilliseconds = 3000;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);
    private readonly PostgreSqlCluster _cluster;

    public PostgreSqlClusterProcessTests(PostgreSqlCluster cluster)
    {
        _cluster = cluster;
    }

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int> { 11, 29 };
        foreach (var extra in (Environment.GetEnvironmentVariable("MO_CLUSTER_SEEDS") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            seeds.Add(int.Parse(extra, CultureInfo.InvariantCulture));
        }

        return seeds;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = 180_000)]
    [MemberData(nameof(Seeds))]
    public async Task ThreeProcesses_OneKilledAndOneStoppedPastItsLease_EveryEventOnceInOrderAndNothingAppliedTwice(int seed)
    {
        _cluster.SkipWhenUnavailable();
        var schema = PostgreSqlCluster.NewSchema("nodes");
        var folder = Directory.CreateTempSubdirectory("mo-cluster-");
        try
        {
            // The schema exists before the nodes open it (they would race to create it, which the store also handles).
            await (await PostgreSqlOrchestrationStore.OpenAsync(new PostgreSqlStoreOptions { ConnectionString = _cluster.ConnectionString, Schema = schema, RetentionWindow = null }, cancellationToken: Ct)).DisposeAsync();
            var effects = Enumerable.Range(0, 3).Select(n => Path.Combine(folder.FullName, $"effects-{n}.jsonl")).ToArray();
            using var killed = StartNode(0, schema, effects[0], seed);
            using var paused = StartNode(1, schema, effects[1], seed);
            using var survivor = StartNode(2, schema, effects[2], seed);
            foreach (var node in new[] { killed, paused, survivor })
            {
                await node.WaitForLineAsync("PUBLISHED", Limit);
            }

            // The nodes have shared out the buckets: the one to be killed and the one to be stopped each hold some.
            foreach (var node in new[] { killed, paused, survivor })
            {
                await node.WaitForOwnedAsync(owned => owned > 0, Limit);
            }

            // Work is in flight on every node: kill one at a seeded moment, stop another for longer than its lease.
            await Task.Delay(new Random(seed).Next(0, 300), TestContext.Current.CancellationToken);
            killed.Kill();
            paused.Signal("STOP");

            // Continued only once the survivor holds every bucket, the stopped node's included: whatever it does next on
            // its old leases is refused, and it must find them lost.
            await survivor.WaitForOwnedAsync(owned => owned == 64, Limit);
            paused.Signal("CONT");

            // Continued, it finds at its next lease round that the buckets it held are someone else's now.
            await paused.WaitForStatusAsync(status => status.Losses > 0, "a lost lease", Limit);

            await using var store = await PostgreSqlOrchestrationStore.OpenAsync(new PostgreSqlStoreOptions { ConnectionString = _cluster.ConnectionString, Schema = schema, RetentionWindow = null }, cancellationToken: Ct);
            await UntilSettledAsync(store, survivor);

            paused.Stop();
            survivor.Stop();
            var pausedLosses = await paused.WaitForDoneAsync(Limit);
            await survivor.WaitForDoneAsync(Limit);

            pausedLosses.Should().BePositive($"the stopped node held buckets the others took over while it was stopped:\n{paused.Output}");
            var events = ClusterScenario.Events(Lots, EventsPerLot, seed);
            var breaches = 0;
            foreach (var lot in events.GroupBy(e => e.LotId))
            {
                var trail = await store.ReadAuditAsync(lot.Key, 1, Ct);
                trail.Where(r => r.Action is "processed" or "transition-rejected" && r.Workflow == IncomingInspectionWorkflow.Name).Select(r => r.Event!.Value.Id)
                    .Should().Equal(lot.OrderBy(e => e.Sequence).Select(e => e.EventId), $"each event of {lot.Key} is processed once, in order");

                // The lot's SLA timer (the probe's step deadline) fired once: at most one breach, whoever fired it.
                var breached = trail.Count(r => r.Action == "sla-breached" && r.Workflow == SlaProbe.Workflow);
                breached.Should().BeLessThanOrEqualTo(1, $"the SLA timer of {lot.Key} fires once in the cluster");
                breaches += breached;
            }

            breaches.Should().BePositive("the probe's notification is still open when its deadline passes, so fired timers breach");
            (await _cluster.ScalarAsync($"SELECT COUNT(*) FROM {schema}.timers")).Should().Be(0L, "every SLA timer fired (a fired timer is removed with the step that handled it)");

            for (var n = 0; n < effects.Length; n++)
            {
                var applied = EffectsLogReader.Read(effects[n]);
                applied.GroupBy(r => r.IdempotencyKey).Where(g => g.Count() > 1).Select(g => g.Key).Should().BeEmpty($"node {n} applies no effect twice");
            }

            var verification = await new AuditVerifier(store).VerifyAllAsync(Ct);
            verification.Violations.Should().BeEmpty();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task UntilSettledAsync(PostgreSqlOrchestrationStore store, NodeProcess survivor)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(Limit);
        while ((await store.ReadPendingEventsAsync(null, 0, 1, Ct)).Count > 0 || (await store.ReadPartitionsWithPendingCommandsAsync(Ct)).Count > 0)
        {
            if (limit.IsCancellationRequested)
            {
                throw new TimeoutException($"Work was still pending after {Limit}:\n{survivor.Output}");
            }

            await Task.Delay(200, Ct);
        }
    }

    private NodeProcess StartNode(int node, string schema, string effects, int seed)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            NodeHostPath(), "--connection", _cluster.ConnectionString, "--schema", schema, "--node", Text(node), "--nodes", "3", "--effects", effects,
            "--lots", Text(Lots), "--events-per-lot", Text(EventsPerLot), "--seed", Text(seed), "--lease-ms", Text(LeaseMilliseconds), "--poll-ms", "300",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new NodeProcess(Process.Start(start)!);

        static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
    }

    private static string NodeHostPath()
    {
        const string Dll = "ManufacturingOrchestration.Storage.PostgreSql.NodeHost.dll";
        var baked = typeof(PostgreSqlClusterProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "NodeHostDirectory")?.Value;
        var candidates = new List<string>();
        if (!string.IsNullOrEmpty(baked))
        {
            candidates.Add(Path.Combine(baked, Dll));
        }

        var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        if (own.Parent?.Parent is { } bin)
        {
            candidates.Add(Path.Combine(bin.FullName, "ManufacturingOrchestration.Storage.PostgreSql.NodeHost", own.Name, Dll));
        }

        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"The node host was not built; looked in: {string.Join(", ", candidates)}");
    }

    /// <summary>A running node host whose output lines are collected as they arrive.</summary>
    private sealed class NodeProcess : IDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _output = new();
        private readonly Lock _gate = new();

        public NodeProcess(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => OnLine(e.Data);
            _process.ErrorDataReceived += (_, e) => OnLine(e.Data is null ? null : "stderr: " + e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Output
        {
            get
            {
                lock (_gate)
                {
                    // The status lines repeat every 200 ms: only the last few are worth reading in a failure message.
                    var lines = _output.ToString().Split('\n');
                    return string.Join('\n', lines.Where(l => !l.StartsWith("STATUS", StringComparison.Ordinal)).Concat(lines.Where(l => l.StartsWith("STATUS", StringComparison.Ordinal)).TakeLast(5)));
                }
            }
        }

        public async Task WaitForLineAsync(string line, TimeSpan timeout)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            limit.CancelAfter(timeout);
            while (true)
            {
                lock (_gate)
                {
                    if (_output.ToString().Contains(line, StringComparison.Ordinal))
                    {
                        return;
                    }
                }

                if (_process.HasExited || limit.IsCancellationRequested)
                {
                    throw new InvalidOperationException($"The node host did not print {line}:\n{Output}");
                }

                await Task.Delay(50, Ct);
            }
        }

        /// <summary>Waits until the latest STATUS line reports a number of owned buckets that satisfies <paramref name="condition"/>.</summary>
        public Task WaitForOwnedAsync(Func<int, bool> condition, TimeSpan timeout) => WaitForStatusAsync(status => condition(status.Owned), "the buckets expected", timeout);

        /// <summary>Waits until the latest STATUS line satisfies <paramref name="condition"/> (owned buckets, lease losses).</summary>
        public async Task WaitForStatusAsync(Func<(int Owned, long Losses), bool> condition, string expected, TimeSpan timeout)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            limit.CancelAfter(timeout);
            while (true)
            {
                string? status;
                lock (_gate)
                {
                    status = _output.ToString().Split('\n').LastOrDefault(l => l.StartsWith("STATUS owned=", StringComparison.Ordinal));
                }

                if (status is not null && condition(Parse(status)))
                {
                    return;
                }

                if (_process.HasExited || limit.IsCancellationRequested)
                {
                    throw new InvalidOperationException($"The node host never reported {expected}:\n{Output}");
                }

                await Task.Delay(50, Ct);
            }

            static (int Owned, long Losses) Parse(string status)
            {
                var owned = status["STATUS owned=".Length..status.IndexOf(' ', "STATUS owned=".Length)];
                var losses = status[(status.IndexOf("losses=", StringComparison.Ordinal) + "losses=".Length)..].Trim();
                return (int.Parse(owned, CultureInfo.InvariantCulture), long.Parse(losses, CultureInfo.InvariantCulture));
            }
        }

        /// <summary>Sends a POSIX signal (<c>STOP</c>, <c>CONT</c>) to the process.</summary>
        public void Signal(string signal)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
            kill.WaitForExit();
        }

        /// <summary>Asks for a graceful stop (a line on its input).</summary>
        public void Stop() => _process.StandardInput.WriteLine("stop");

        /// <summary>Waits for the host's DONE line and returns the lease losses it reports.</summary>
        public async Task<long> WaitForDoneAsync(TimeSpan timeout)
        {
            await WaitForLineAsync("DONE losses=", timeout);
            lock (_gate)
            {
                var line = _output.ToString().Split('\n').Last(l => l.StartsWith("DONE losses=", StringComparison.Ordinal));
                return long.Parse(line["DONE losses=".Length..], CultureInfo.InvariantCulture);
            }
        }

        public void Kill()
        {
            // Process.Kill on Linux sends SIGKILL: no finally blocks, no flushes, no lease released.
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
            }
        }
    }
}

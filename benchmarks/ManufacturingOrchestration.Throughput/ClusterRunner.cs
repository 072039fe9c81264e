using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Threading.Channels;
using ManufacturingOrchestration.StandardScenario;
using ManufacturingOrchestration.Storage.PostgreSql;
using Npgsql;

namespace ManufacturingOrchestration.Throughput;

/// <summary>
/// A <c>--nodes N</c> run: N node processes (this runner's own assembly with <c>--node I</c>, <see cref="ClusterNode"/>),
/// each an orchestrator in cluster mode on one fresh schema, with simulators of its own seeded alike. Waits until the
/// buckets are shared out, publishes the standard scenario's events across the nodes, waits until the nodes together
/// processed every accepted event, then has each node verify the lots of its buckets and one node the store as a whole.
/// Measures from the first publish to the last committed step, the node processes' processor time, and the database
/// server's (when it runs on this machine).
/// </summary>
internal static class ClusterRunner
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StallTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan OrderTimeout = TimeSpan.FromMinutes(5);

    public static async Task<ThroughputReport> RunAsync(ThroughputOptions options, TextWriter output, CancellationToken ct)
    {
        var count = options.Nodes!.Value;
        var schema = "mo_run_" + Guid.NewGuid().ToString("N");
        var applicationName = "mo-throughput-" + schema[7..15];
        var connectionString = options.PostgreSqlConnectionString!;
        var nodeConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = applicationName }.ConnectionString;
        var failures = new List<string>();
        var nodes = new List<NodeProcess>();
        await using var sampler = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "mo-throughput-sampler", Pooling = false }.ConnectionString);
        try
        {
            await using (await PostgreSqlOrchestrationStore.OpenAsync(new PostgreSqlStoreOptions { ConnectionString = connectionString, Schema = schema }, cancellationToken: ct).ConfigureAwait(false))
            {
                // Creates the schema; the nodes open it.
            }

            if (options.Prefill > 0)
            {
                StoreFactory.Prefill(connectionString, schema, options.Prefill);
            }

            for (var i = 0; i < count; i++)
            {
                nodes.Add(NodeProcess.Start(i, options, schema, nodeConnectionString));
            }

            await Task.WhenAll(nodes.Select(n => n.ExpectAsync("READY", ReadyTimeout, ct))).ConfigureAwait(false);
            await SettleAsync(nodes, ct).ConfigureAwait(false);

            await sampler.OpenAsync(ct).ConfigureAwait(false);
            var loadBefore = ThroughputReport.LoadAverage();
            var serverBefore = await ServerCpu.TakeAsync(sampler, applicationName, ct).ConfigureAwait(false);
            foreach (var node in nodes)
            {
                await node.SendAsync("go").ConfigureAwait(false);
            }

            var published = await Task.WhenAll(nodes.Select(n => n.ExpectAsync("PUBLISHED", OrderTimeout + TimeSpan.FromSeconds(options.Lots / 100.0), ct))).ConfigureAwait(false);
            var accepted = published.Sum(p => Value(p, "accepted"));
            await WaitUntilProcessedAsync(nodes, accepted, ct).ConfigureAwait(false);
            foreach (var node in nodes)
            {
                await node.SendAsync("finish").ConfigureAwait(false);
            }

            var done = await Task.WhenAll(nodes.Select(n => n.ExpectAsync("DONE", OrderTimeout, ct))).ConfigureAwait(false);
            var serverAfter = await ServerCpu.TakeAsync(sampler, applicationName, ct).ConfigureAwait(false);
            var loadAfter = ThroughputReport.LoadAverage();

            foreach (var node in nodes)
            {
                await node.SendAsync("verify").ConfigureAwait(false);
            }

            await Task.WhenAll(nodes.Select(n => n.ExpectAsync("VERIFIED", OrderTimeout, ct))).ConfigureAwait(false);
            await nodes[0].SendAsync("verify-store").ConfigureAwait(false);
            await nodes[0].ExpectAsync("STORE-VERIFIED", OrderTimeout, ct).ConfigureAwait(false);

            // Across the nodes: the publish counts, every accepted event processed once, the buckets split without overlap.
            EffectVerifier.Expect(failures, "accepted events", options.Lots, accepted);
            EffectVerifier.Expect(failures, "duplicate events", InspectionScenario.DuplicateCount(options.Lots), published.Sum(p => Value(p, "duplicates")));
            EffectVerifier.Expect(failures, "rejected events", 0, published.Sum(p => Value(p, "rejected")));
            EffectVerifier.Expect(failures, "events processed, summed over the nodes", accepted, done.Sum(d => Value(d, "processed")));
            var buckets = done.SelectMany(d => Text(d, "buckets").Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();
            EffectVerifier.Expect(failures, "buckets held, summed over the nodes", ClusterNode.Cluster.BucketCount, buckets.Count);
            EffectVerifier.Expect(failures, "distinct buckets held", ClusterNode.Cluster.BucketCount, buckets.Distinct(StringComparer.Ordinal).Count());
            for (var i = 0; i < count; i++)
            {
                failures.AddRange(nodes[i].Failures.Select(f => $"node {i}: {f}"));
            }

            var start = published.Min(p => Value(p, "start"));
            var end = done.Max(d => Value(d, "last"));
            var report = new ThroughputReport
            {
                Options = options,
                Events = published.Sum(p => Value(p, "accepted") + Value(p, "duplicates") + Value(p, "rejected")),
                Processed = accepted,
                Elapsed = Stopwatch.GetElapsedTime(start, end),
                PublishElapsed = Stopwatch.GetElapsedTime(start, published.Max(p => Value(p, "end"))),
                CpuTime = TimeSpan.FromTicks(done.Sum(d => Value(d, "cpu_us")) * 10),
                AllocatedBytes = done.Sum(d => Value(d, "allocated")),
                Gen0Collections = (int)done.Sum(d => Value(d, "gen0")),
                Gen2Collections = (int)done.Sum(d => Value(d, "gen2")),
                GcPause = TimeSpan.FromMilliseconds(done.Sum(d => Value(d, "paused_ms"))),
            };
            report.Failures.AddRange(failures);
            var server = serverBefore is not null && serverAfter is not null ? serverAfter.Since(serverBefore) : null;
            Write(output, report, done, start, server, loadBefore, loadAfter);
            if (options.Json)
            {
                output.WriteLine(report.ToResult().ToLine());
            }

            return report;
        }
        catch (Exception e) when (e is NodeFailedException or TimeoutException or NpgsqlException)
        {
            var report = new ThroughputReport { Options = options };
            report.Failures.Add(e.Message);
            foreach (var node in nodes)
            {
                report.Failures.AddRange(node.Failures.Select(f => $"node {node.Index}: {f}"));
                report.Failures.AddRange(node.ErrorTail().Select(l => $"node {node.Index} stderr: {l}"));
            }

            report.WriteTo(output);
            return report;
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.StopAsync())).ConfigureAwait(false);
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits until the buckets are shared out — every bucket held, no node above its fair share — so that none moves during
    /// the measured part: a bucket that moved mid-run would have its pending commands sent again to the new owner's
    /// simulators, which are not the first owner's.
    /// </summary>
    private static async Task SettleAsync(List<NodeProcess> nodes, CancellationToken ct)
    {
        var fairShare = (ClusterNode.Cluster.BucketCount + nodes.Count - 1) / nodes.Count;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var owned = new List<long>();
            foreach (var node in nodes)
            {
                await node.SendAsync("status").ConfigureAwait(false);
                var status = await node.ExpectAsync("STATUS", OrderTimeout, ct).ConfigureAwait(false);
                owned.Add(long.Parse(status.Split(' ')[1], CultureInfo.InvariantCulture));
            }

            if (owned.Sum() == ClusterNode.Cluster.BucketCount && owned.All(o => o > 0 && o <= fairShare))
            {
                return;
            }

            if (deadline.Elapsed > SettleTimeout)
            {
                throw new TimeoutException($"the buckets were not shared out within {SettleTimeout.TotalSeconds:F0} s: {string.Join(", ", owned)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        }
    }

    private static async Task WaitUntilProcessedAsync(List<NodeProcess> nodes, long accepted, CancellationToken ct)
    {
        var last = -1L;
        var progress = Stopwatch.StartNew();
        while (true)
        {
            var processed = 0L;
            foreach (var node in nodes)
            {
                await node.SendAsync("count").ConfigureAwait(false);
                processed += long.Parse((await node.ExpectAsync("COUNT", OrderTimeout, ct).ConfigureAwait(false)).Split(' ')[1], CultureInfo.InvariantCulture);
            }

            if (processed >= accepted)
            {
                return;
            }

            if (processed != last)
            {
                last = processed;
                progress.Restart();
            }
            else if (progress.Elapsed > StallTimeout)
            {
                throw new TimeoutException($"the nodes processed {processed:N0} of {accepted:N0} accepted events and then nothing for {StallTimeout.TotalSeconds:F0} s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), ct).ConfigureAwait(false);
        }
    }

    private static void Write(TextWriter output, ThroughputReport report, string[] done, long start, IReadOnlyDictionary<string, TimeSpan>? server, string loadBefore, string loadAfter)
    {
        var c = CultureInfo.InvariantCulture;
        var options = report.Options;
        var processed = Math.Max(report.Processed, 1);
        var cluster = ClusterNode.Cluster;
        output.WriteLine(string.Create(c, $"scenario      incoming inspection ({options.Workflow.ToString().ToLowerInvariant()} workflow), store postgresql, {done.Length} node processes in cluster mode ({cluster.BucketCount} buckets, leases {options.LeaseDuration.TotalSeconds:F0} s), {options.Lots:N0} lots, parallelism {options.Parallelism} and {options.Publishers} publishers x batches of {options.BatchSize} per node"));
        output.WriteLine("simulators    one set per node, seeded alike: the scenario's lots are independent, so each lot's effects land on the node that processed it; effects are verified per node over the lots of its buckets, and the inbox, lot state and audit chains store-wide");
        output.WriteLine(string.Create(c, $"machine       {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}"));
        output.WriteLine(string.Create(c, $"events        {report.Events:N0} published across {done.Length} nodes (batch b to node b mod {done.Length}), {report.Processed:N0} accepted and processed"));
        output.WriteLine(string.Create(c, $"elapsed       {report.Elapsed.TotalSeconds:F2} s, first publish -> last committed step (publishing done after {report.PublishElapsed.TotalSeconds:F2} s)"));
        output.WriteLine(string.Create(c, $"throughput    {report.EventsPerSecond:N0} events/s, all nodes together (one-node floor {ThroughputReport.PostgreSqlFloorEventsPerSecond:N0})"));
        for (var i = 0; i < done.Length; i++)
        {
            var nodeProcessed = Value(done[i], "processed");
            var nodeElapsed = Stopwatch.GetElapsedTime(start, Value(done[i], "last"));
            var nodeCpu = Value(done[i], "cpu_us");
            output.WriteLine(string.Create(c, $"node {i,-8} {Text(done[i], "buckets").Split(',').Length} buckets, {nodeProcessed:N0} events processed, {nodeProcessed / Math.Max(nodeElapsed.TotalSeconds, 1e-9):N0} events/s, {(double)nodeCpu / Math.Max(nodeProcessed, 1):F1} us of its processor time per event it processed, {Value(done[i], "allocated") / 1024.0 / Math.Max(nodeProcessed, 1):F2} KB/event allocated"));
        }

        foreach (var moved in done.Select((d, i) => (Line: d, Node: i)).Where(d => Value(d.Line, "moved") != 0))
        {
            // Not a failure in itself: had a bucket's commands gone to another node's simulators, the per-node checks would
            // have found effects of a lot on a node that does not hold it, or missing on the one that does.
            output.WriteLine(string.Create(c, $"leases        node {moved.Node}: {Value(moved.Line, "losses")} bucket lease(s) lost during the run; {Text(moved.Line, "buckets").Split(',').Length} held at the start, {Value(moved.Line, "held_end")} at the end (a longer --lease keeps them on a loaded machine)"));
        }

        output.WriteLine(string.Create(c, $"cpu           orchestrators {report.CpuTime.TotalMilliseconds * 1000 / processed:F1} us/event (summed over the {done.Length} node processes, all threads, from the first publish until each was idle)"));
        if (server is not null)
        {
            var serverCpu = server[ServerCpu.Ours] + server[ServerCpu.Background];
            output.WriteLine(string.Create(c, $"server cpu    {serverCpu.TotalMilliseconds * 1000 / processed:F1} us/event: the nodes' backends {server[ServerCpu.Ours].TotalMilliseconds * 1000 / processed:F1} + the server's own processes (WAL writer, checkpointer...) {server[ServerCpu.Background].TotalMilliseconds * 1000 / processed:F1}; not counted: other clients' backends {server[ServerCpu.OtherClients].TotalSeconds:F2} s, processes that exited meanwhile {server[ServerCpu.Exited].TotalSeconds:F2} s"));
            output.WriteLine(string.Create(c, $"total cpu     {(report.CpuTime + serverCpu).TotalMilliseconds * 1000 / processed:F1} us/event, orchestrators and server: {(report.CpuTime + serverCpu) / report.Elapsed:F2} cores busy on average of {Environment.ProcessorCount}"));
        }
        else
        {
            output.WriteLine("server cpu    n/a (the server's processes are not visible on this machine)");
        }

        output.WriteLine(string.Create(c, $"allocated     {report.BytesPerEvent / 1024:F2} KB/event (budget 16 KB), summed over the nodes; gen0 {report.Gen0Collections}, gen2 {report.Gen2Collections}, paused {report.GcPause.TotalMilliseconds:F0} ms"));
        output.WriteLine($"load          {loadBefore} before, {loadAfter} after");
        foreach (var failure in report.Failures.Take(50))
        {
            output.WriteLine("FAIL  " + failure);
        }

        output.WriteLine(report.Passed ? "PASS  publish counts, every event processed once across the nodes, each node's effects, order, lot state and explanations, the audit chains verified" : "FAIL");
    }

    /// <summary>The number after <c>key=</c> in a node's answer.</summary>
    private static long Value(string line, string key) => long.Parse(Text(line, key), NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>The text after <c>key=</c> in a node's answer, up to the next space.</summary>
    private static string Text(string line, string key) =>
        line.Split(' ').FirstOrDefault(part => part.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..]
        ?? throw new NodeFailedException($"a node's answer has no {key}: {line}");

    /// <summary>A node process has ended or answered otherwise than expected.</summary>
    private sealed class NodeFailedException(string message) : Exception(message);

    /// <summary>One node process, its orders and its answers.</summary>
    private sealed class NodeProcess
    {
        private readonly Process _process;
        private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
        private readonly Queue<string> _errors = new();

        private NodeProcess(int index, Process process)
        {
            Index = index;
            _process = process;
            _ = Task.Run(PumpOutputAsync);
            _ = Task.Run(PumpErrorsAsync);
        }

        public int Index { get; }

        public List<string> Failures { get; } = [];

        public static NodeProcess Start(int index, ThroughputOptions options, string schema, string connectionString)
        {
            var (host, assembly) = Command();
            var start = new ProcessStartInfo(host)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.Environment[ThroughputOptions.NodeConnectionVariable] = connectionString;
            foreach (var argument in new[]
            {
                assembly, "--node", Number(index), "--nodes", Number(options.Nodes!.Value), "--schema", schema,
                "--workflow", options.Workflow.ToString().ToLowerInvariant(), "--lots", Number(options.Lots), "--parallelism", Number(options.Parallelism),
                "--publishers", Number(options.Publishers), "--batch", Number(options.BatchSize), "--prefill", Number(options.Prefill),
                "--lease", options.LeaseDuration.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            })
            {
                start.ArgumentList.Add(argument);
            }

            if (options.QueueCapacity is { } capacity)
            {
                start.ArgumentList.Add("--queue-capacity");
                start.ArgumentList.Add(Number(capacity));
            }

            if (!options.WarmUp)
            {
                start.ArgumentList.Add("--no-warmup");
            }

            return new NodeProcess(index, Process.Start(start) ?? throw new NodeFailedException($"node {index} did not start"));
        }

        public async Task SendAsync(string order)
        {
            try
            {
                await _process.StandardInput.WriteLineAsync(order).ConfigureAwait(false);
                await _process.StandardInput.FlushAsync().ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new NodeFailedException($"node {Index} has ended ({e.Message})");
            }
        }

        /// <summary>Reads answers until one starts with <paramref name="prefix"/>; collects the failures reported meanwhile.</summary>
        public async Task<string> ExpectAsync(string prefix, TimeSpan timeout, CancellationToken ct)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(timeout);
            try
            {
                while (true)
                {
                    var line = await _lines.Reader.ReadAsync(limit.Token).ConfigureAwait(false);
                    if (line.StartsWith("FAIL ", StringComparison.Ordinal))
                    {
                        Failures.Add(line[5..]);
                    }
                    else if (line == "ERROR")
                    {
                        throw new NodeFailedException($"node {Index} could not carry out its order (waiting for {prefix})");
                    }
                    else if (line.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        return line;
                    }
                }
            }
            catch (ChannelClosedException)
            {
                throw new NodeFailedException($"node {Index} ended while the runner waited for {prefix}");
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"node {Index} did not answer {prefix} within {timeout.TotalSeconds:F0} s");
            }
        }

        public IReadOnlyList<string> ErrorTail()
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }

        public async Task StopAsync()
        {
            try
            {
                if (!_process.HasExited)
                {
                    await SendAsync("stop").ConfigureAwait(false);
                    _process.StandardInput.Close();
                    using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    await _process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is NodeFailedException or OperationCanceledException or IOException or InvalidOperationException)
            {
                _process.Kill(entireProcessTree: true);
            }
            finally
            {
                _process.Dispose();
            }
        }

        private static (string Host, string Assembly) Command()
        {
            // This assembly, run by the same dotnet host as this process when that is known. From a test's output folder
            // (where the runner's runtime configuration is not copied), the runner's own build output, baked in at build time.
            var assembly = typeof(ClusterRunner).Assembly.Location;
            if (!File.Exists(Path.ChangeExtension(assembly, ".runtimeconfig.json"))
                && typeof(ClusterRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "ThroughputDirectory")?.Value is { } directory)
            {
                assembly = Path.Combine(directory, Path.GetFileName(assembly));
            }

            var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
            return (host, assembly);
        }

        private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

        private async Task PumpOutputAsync()
        {
            while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                _lines.Writer.TryWrite(line);
            }

            _lines.Writer.TryComplete();
        }

        private async Task PumpErrorsAsync()
        {
            while (await _process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                lock (_errors)
                {
                    _errors.Enqueue(line);
                    if (_errors.Count > 20)
                    {
                        _errors.Dequeue();
                    }
                }
            }
        }
    }
}

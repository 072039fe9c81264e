using System.Text;
using CsCheck;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Serialization;
using ManufacturingOrchestration.Storage.PostgreSql.Tests;

namespace ManufacturingOrchestration.Intake.FuzzTests;

/// <summary>
/// Generated inputs through every in-memory intake path — typed publish, CloudEvents JSON, JSON lines and CSV lines —
/// on the in-memory store (the bulk: over 10,000 inputs) and on the SQLite store. No input may throw or hang, every
/// rejection is structured, the valid event published after each input is accepted and processed, nothing accepted is lost.
/// </summary>
public sealed class InMemoryPathFuzzTests
{
    private readonly PostgreSqlCluster _cluster;

    public InMemoryPathFuzzTests(PostgreSqlCluster cluster)
    {
        _cluster = cluster;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The inputs of a run: the bulk in memory, fewer on the durable stores (each input is a real commit there).</summary>
    private static int Count(string store, int inMemory, int onSqlite) => store switch
    {
        "sqlite" => onSqlite,
        "postgresql" => onSqlite / 4,
        _ => inMemory,
    };

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task PublishAsync_GeneratedTypedEvents_NeverThrowAndLoseNothingValid(string store)
    {
        await using var run = await FuzzRun.StartAsync(store, _cluster);
        var pcg = new PCG(1, FuzzSeed.Value);
        for (var n = 0; n < Count(store, 5_000, 1_500); n++)
        {
            run.Inputs++;
            var envelope = FuzzGen.TypedEvent.Generate(pcg, null!, out _)(n);
            var result = await run.GuardAsync(() => run.Orchestrator.PublishAsync(envelope, Ct).AsTask(), () => Describe(envelope));
            run.Check(result, envelope, () => Describe(envelope));
            if (result.Status == PublishStatus.Accepted)
            {
                // Accepted means stored as given: its JSON reads back to the same keys.
                var parsed = EventSerializer.Default.Parse(EventSerializer.Default.SerializeToUtf8Bytes(envelope));
                parsed.IsSuccess.Should().BeTrue($"an accepted event reads back from its JSON ({Describe(envelope)}): {parsed}");
                parsed.Envelope!.Id.Should().Be(envelope.Id);
                parsed.Envelope.EffectivePartitionKey.Should().Be(envelope.EffectivePartitionKey);
            }

            await run.PublishValidAsync(FuzzGen.ValidId.Generate(pcg, null!, out _));
        }

        await run.VerifyNothingLostAsync();
        run.Print("typed");
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task PublishJsonAsync_GeneratedJson_NeverThrowsAndLosesNothingValid(string store)
    {
        await using var run = await FuzzRun.StartAsync(store, _cluster);
        var pcg = new PCG(2, FuzzSeed.Value);
        for (var n = 0; n < Count(store, 6_000, 2_000); n++)
        {
            run.Inputs++;
            var json = FuzzGen.JsonEvent.Generate(pcg, null!, out _)(n);
            string Describe() => "bytes " + Convert.ToHexString(json.AsSpan(0, Math.Min(json.Length, 300)));
            var parsed = await run.GuardAsync(() => Task.FromResult(EventSerializer.Default.Parse(json)), Describe);
            var result = await run.GuardAsync(() => run.Intake.PublishJsonAsync(json, "fuzz:json", Ct).AsTask(), Describe);
            run.Check(result, parsed.IsSuccess ? parsed.Envelope : null, Describe);
            if (n % 4 == 0)
            {
                // The string overload, with whatever the bytes decode to (invalid UTF-8 becomes U+FFFD) and a raw unpaired surrogate.
                var text = Encoding.UTF8.GetString(json).Replace("fuzz://valid", "fuzz://\uD800", StringComparison.Ordinal);
                var fromString = await run.GuardAsync(() => run.Intake.PublishJsonAsync(text, "fuzz:json", Ct).AsTask(), () => FreeText.Escape(text));
                run.Check(fromString, null, () => FreeText.Escape(text));
            }

            await run.PublishValidAsync(FuzzGen.ValidId.Generate(pcg, null!, out _));
        }

        await run.VerifyNothingLostAsync();
        run.Print("json");
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task JsonLines_GeneratedLines_NeverThrowAndLoseNothingValid(string store)
    {
        await using var run = await FuzzRun.StartAsync(store, _cluster);
        var source = new FileDropSource(new FileDropOptions { Directory = run.Folder });
        var pcg = new PCG(3, FuzzSeed.Value);
        var lines = 0;
        for (var batch = 0; lines < Count(store, 3_000, 1_000); batch++)
        {
            var size = (int)pcg.Next(6) + 1;
            var raw = new List<byte[]>();
            for (var i = 0; i < size; i++, lines++)
            {
                run.Inputs++;
                raw.Add(i % 3 == 2
                    ? EventSerializer.Default.SerializeToUtf8Bytes(FuzzGen.ValidEvent("jl-" + lines, "S-JL" + lines))
                    : FuzzGen.JsonEvent.Generate(pcg, null!, out _)(lines).Where(b => b != (byte)'\n').ToArray());
            }

            // The same lines through the batch API (as strings) and through the file drop's line reading (as bytes).
            var asStrings = raw.Select(b => Encoding.UTF8.GetString(b)).ToArray();
            string Describe() => string.Join(" | ", asStrings.Select(FreeText.Escape));
            var results = await run.GuardAsync(() => run.Intake.PublishJsonBatchAsync(asStrings, "fuzz:lines", Ct).AsTask(), Describe);
            for (var i = 0; i < results.Count; i++)
            {
                var parsed = EventSerializer.Default.Parse(asStrings[i]);
                run.Check(results[i], parsed.IsSuccess ? parsed.Envelope : null, Describe);
            }

            var content = raw.SelectMany(b => b.Append((byte)'\n')).ToArray();
            var dropped = await run.GuardAsync(() => source.PublishContentAsync(new MemoryStream(content), "fuzz-" + batch + ".jsonl", run.Intake, Ct), Describe);
            if (dropped.FileErrors.Count > 0)
            {
                // Random bytes can open with a UTF-16 byte order mark: the file is refused as a whole, with a reason.
                run.CountRejection(dropped.FileErrors, Describe);
            }

            foreach (var line in dropped.Lines.Where(l => l.Status == PublishStatus.Rejected))
            {
                run.CountRejection(line.Errors, Describe);
            }

            await run.PublishValidAsync(FuzzGen.ValidId.Generate(pcg, null!, out _));
        }

        await run.VerifyNothingLostAsync();
        run.Print("json-lines");
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task CsvLines_GeneratedRows_NeverThrowAndLoseNothingValid(string store)
    {
        await using var run = await FuzzRun.StartAsync(store, _cluster);
        var source = new FileDropSource(new FileDropOptions { Directory = run.Folder });
        var pcg = new PCG(4, FuzzSeed.Value);
        var rows = 0;
        for (var batch = 0; rows < Count(store, 3_000, 1_000); batch++)
        {
            var size = (int)pcg.Next(6) + 1;
            var text = new StringBuilder(FuzzGen.CsvHeader).Append('\n');
            var valid = new List<string>();
            for (var i = 0; i < size; i++, rows++)
            {
                run.Inputs++;
                if (i % 3 == 2)
                {
                    var id = "csv-valid-" + rows;
                    valid.Add(id);
                    text.Append(FuzzGen.ValidCsvRow(id, rows)).Append('\n');
                }
                else
                {
                    text.Append(FuzzGen.CsvRow.Generate(pcg, null!, out _)(rows).Replace("\n", " ", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal)).Append('\n');
                }
            }

            var content = Encoding.UTF8.GetBytes(text.ToString());
            string Describe() => FreeText.Escape(text.ToString());
            var dropped = await run.GuardAsync(() => source.PublishContentAsync(new MemoryStream(content), "fuzz-" + batch + ".csv", run.Intake, Ct), Describe);
            dropped.FileErrors.Should().BeEmpty();
            foreach (var line in dropped.Lines)
            {
                if (line.Status == PublishStatus.Rejected)
                {
                    run.CountRejection(line.Errors, Describe);
                }
            }

            foreach (var id in valid)
            {
                dropped.Lines.Should().Contain(l => l.EventId == id && l.Status == PublishStatus.Accepted, $"the valid row '{id}' is accepted whatever the rows around it ({Describe()})");
            }

            await run.PublishValidAsync(FuzzGen.ValidId.Generate(pcg, null!, out _));
        }

        await run.VerifyNothingLostAsync();
        run.Print("csv");
    }

    private static string Describe(EventEnvelope envelope) =>
        $"id='{FreeText.Escape(envelope.Id)}' source='{FreeText.Escape(envelope.Source)}' type='{FreeText.Escape(envelope.Type)}' partitionkey='{FreeText.Escape(envelope.PartitionKey)}' extensions={envelope.Extensions?.Count}";
}

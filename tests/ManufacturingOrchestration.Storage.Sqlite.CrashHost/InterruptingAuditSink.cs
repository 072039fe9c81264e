using System.Text.Json;
using ManufacturingOrchestration.Engine.Audit;

namespace ManufacturingOrchestration.Storage.Sqlite.CrashHost;

/// <summary>
/// The crash host's JSON-lines audit sink, able to stop the process at the moments the audit-sink crash test needs:
/// after call <c>holdAfterWrite</c> put its batch in the file, before the orchestrator saves the cursor (the call never
/// returns); or during call <c>tearWrite</c>, leaving the file as a kill in the middle of the write does (the batch but
/// its last record, then the first half of that record's line). Either way it prints <c>SINK-HELD</c> and waits to be
/// killed. 0 turns a moment off.
/// </summary>
internal sealed class InterruptingAuditSink(JsonLinesAuditSink inner, int holdAfterWrite, int tearWrite) : IAuditSink
{
    private int _calls;

    public string Name => inner.Name;

    public async ValueTask WriteAsync(IReadOnlyList<AuditRecord> batch, CancellationToken cancellationToken = default)
    {
        var call = Interlocked.Increment(ref _calls);
        if (call == tearWrite)
        {
            await inner.WriteAsync(batch.Take(batch.Count - 1).ToArray(), cancellationToken);
            inner.Dispose();
            var line = JsonSerializer.Serialize(batch[^1], new JsonSerializerOptions(JsonSerializerDefaults.Web));
            await using (var file = new FileStream(inner.Path, FileMode.Append, FileAccess.Write, FileShare.Read))
            {
                await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(line[..(line.Length / 2)]), cancellationToken);
                file.Flush(flushToDisk: true);
            }

            await HoldAsync();
        }

        await inner.WriteAsync(batch, cancellationToken);
        if (call == holdAfterWrite)
        {
            await HoldAsync();
        }
    }

    private static async Task HoldAsync()
    {
        Console.WriteLine("SINK-HELD");
        await Task.Delay(Timeout.Infinite, CancellationToken.None);
    }
}

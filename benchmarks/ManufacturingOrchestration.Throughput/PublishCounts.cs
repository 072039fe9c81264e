using ManufacturingOrchestration.Engine.Execution;

namespace ManufacturingOrchestration.Throughput;

/// <summary>What the publishers were told, counted across publisher tasks.</summary>
internal sealed class PublishCounts
{
    private long _accepted;
    private long _duplicates;
    private long _rejected;

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long Rejected => Interlocked.Read(ref _rejected);

    public void Add(IReadOnlyList<PublishResult> results)
    {
        long accepted = 0, duplicates = 0, rejected = 0;
        foreach (var result in results)
        {
            switch (result.Status)
            {
                case PublishStatus.Accepted:
                    accepted++;
                    break;
                case PublishStatus.Duplicate:
                    duplicates++;
                    break;
                default:
                    rejected++;
                    break;
            }
        }

        Interlocked.Add(ref _accepted, accepted);
        Interlocked.Add(ref _duplicates, duplicates);
        Interlocked.Add(ref _rejected, rejected);
    }
}

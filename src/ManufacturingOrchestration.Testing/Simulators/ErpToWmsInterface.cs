using System.Collections.Concurrent;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing;

/// <summary>
/// The simulated integration between the ERP and its warehouse system (as an ERP with a decentralised or embedded WMS
/// has): every ERP posting that changes a lot's stock category, ownership or quantity — category changes, goods
/// receipts and issues, consumption, scrap, samples, returns, count differences, consignment withdrawals, plant
/// transfers, reversals, batch status changes — is passed on and applied to the WMS's stock of that lot, in the lot's
/// posting order. Bins stay the WMS's business: a category change happens in the bins the stock lies in.
/// </summary>
/// <remarks>
/// <para>Real interfaces lose and delay messages, which is how the same material ends up available in one system and
/// blocked in the other. Plant that deterministically, per lot: <see cref="LoseNext"/> loses postings,
/// <see cref="HoldBack(LotId)"/> keeps them queued until <see cref="Release"/> (or, with a duration, until the
/// simulators' clock has moved on that far). A posting the WMS cannot apply (it holds less of the category than the
/// ERP withdraws, say, because an earlier posting was lost) is refused as a whole and kept in <see cref="Refused"/>,
/// like a message stuck in an interface monitor.</para>
/// <para>Postings are delivered synchronously while the ERP holds the lot's lock, so an ERP command's result is
/// returned after the WMS has followed it. Lots the WMS does not manage are passed by, unless a posting adds stock
/// at a site with a receiving bin (<see cref="ReceiveInto"/>). Thread-safe.</para>
/// </remarks>
public sealed class ErpToWmsInterface : IDisposable
{
    private readonly WmsSimulator _wms;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<LotId, Channel> _channels = new();
    private readonly ConcurrentDictionary<SiteId, BinId> _receivingBins = new();
    private readonly ConcurrentQueue<ErpStockPosting> _lost = new();
    private readonly ConcurrentQueue<ErpToWmsRefusal> _refused = new();
    private long _delivered;
    private long _passedBy;
    private volatile bool _enabled = true;

    /// <summary>Connects an ERP to a WMS: from now on the WMS follows the ERP's stock postings.</summary>
    /// <param name="erp">The ERP.</param>
    /// <param name="wms">The WMS.</param>
    /// <param name="timeProvider">The clock of timed hold-backs and refusals; the WMS's when <see langword="null"/>.</param>
    /// <exception cref="InvalidOperationException">The ERP is already connected to a WMS.</exception>
    public ErpToWmsInterface(ErpSimulator erp, WmsSimulator wms, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(erp);
        ArgumentNullException.ThrowIfNull(wms);
        if (erp.PostingObserver is not null)
        {
            throw new InvalidOperationException("The ERP is already connected to a WMS.");
        }

        _wms = wms;
        _timeProvider = timeProvider ?? wms.TimeProvider;
        erp.PostingObserver = OnPosted;
    }

    /// <summary>
    /// Whether postings are passed on (default <see langword="true"/>). Switched off, the WMS keeps its stock only
    /// from its own seeding and move tasks, and postings made meanwhile are not passed on later.
    /// </summary>
    public bool IsEnabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>How many postings the WMS applied.</summary>
    public long DeliveredCount => Interlocked.Read(ref _delivered);

    /// <summary>How many postings were passed by because the WMS does not manage their lot.</summary>
    public long NotWarehouseManagedCount => Interlocked.Read(ref _passedBy);

    /// <summary>The postings lost on purpose (<see cref="LoseNext"/>), in order.</summary>
    public IReadOnlyList<ErpStockPosting> Lost => [.. _lost];

    /// <summary>The postings the WMS refused, in order; none of them was applied.</summary>
    public IReadOnlyList<ErpToWmsRefusal> Refused => [.. _refused];

    /// <summary>The postings held back and not yet released, per lot in posting order.</summary>
    public IReadOnlyList<ErpStockPosting> HeldBack
    {
        get
        {
            var held = new List<ErpStockPosting>();
            foreach (var channel in _channels.Values)
            {
                lock (channel.Gate)
                {
                    held.AddRange(channel.Pending);
                }
            }

            return held;
        }
    }

    /// <summary>Names the bin where the WMS puts away stock a posting adds to a lot it does not manage yet (a goods receipt).</summary>
    /// <param name="site">The site.</param>
    /// <param name="bin">The receiving bin.</param>
    /// <returns>This interface.</returns>
    public ErpToWmsInterface ReceiveInto(SiteId site, BinId bin)
    {
        _receivingBins[site] = bin;
        return this;
    }

    /// <summary>Loses the lot's next postings: they never reach the WMS.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="count">How many postings to lose; default 1.</param>
    /// <returns>This interface.</returns>
    public ErpToWmsInterface LoseNext(LotId lot, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var channel = ChannelFor(lot);
        lock (channel.Gate)
        {
            channel.ToLose += count;
        }

        return this;
    }

    /// <summary>Holds back the lot's postings until <see cref="Release"/>: the WMS keeps showing the lot as it was.</summary>
    /// <param name="lot">The lot.</param>
    /// <returns>This interface.</returns>
    public ErpToWmsInterface HoldBack(LotId lot)
    {
        var channel = ChannelFor(lot);
        lock (channel.Gate)
        {
            channel.Held = true;
        }

        return this;
    }

    /// <summary>Holds back the lot's postings for a while: they are released when the simulators' clock has moved on by <paramref name="delay"/>.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="delay">How long the postings are held back.</param>
    /// <returns>This interface.</returns>
    public ErpToWmsInterface HoldBack(LotId lot, TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(delay, TimeSpan.Zero);
        var channel = ChannelFor(lot);
        lock (channel.Gate)
        {
            channel.Held = true;
            channel.Timer?.Dispose();
            channel.Timer = _timeProvider.CreateTimer(_ => Release(lot), null, delay, Timeout.InfiniteTimeSpan);
        }

        return this;
    }

    /// <summary>Stops holding back the lot's postings and delivers those held, in posting order.</summary>
    /// <param name="lot">The lot.</param>
    /// <returns>How many held postings were delivered (applied or refused).</returns>
    public int Release(LotId lot)
    {
        if (!_channels.TryGetValue(lot, out var channel))
        {
            return 0;
        }

        lock (channel.Gate)
        {
            channel.Held = false;
            channel.Timer?.Dispose();
            channel.Timer = null;
            var released = channel.Pending.Count;
            while (channel.Pending.TryDequeue(out var posting))
            {
                Deliver(posting);
            }

            return released;
        }
    }

    /// <summary>Stops holding back every lot's postings and delivers them.</summary>
    /// <returns>How many held postings were delivered.</returns>
    public int ReleaseAll()
    {
        var released = 0;
        foreach (var lot in _channels.Keys)
        {
            released += Release(lot);
        }

        return released;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            lock (channel.Gate)
            {
                channel.Timer?.Dispose();
                channel.Timer = null;
            }
        }
    }

    private void OnPosted(ErpStockPosting posting)
    {
        if (!_enabled)
        {
            return;
        }

        if (!_channels.TryGetValue(posting.Lot, out var channel))
        {
            Deliver(posting);
            return;
        }

        lock (channel.Gate)
        {
            if (channel.ToLose > 0)
            {
                channel.ToLose--;
                _lost.Enqueue(posting);
            }
            else if (channel.Held)
            {
                channel.Pending.Enqueue(posting);
            }
            else
            {
                Deliver(posting);
            }
        }
    }

    private void Deliver(ErpStockPosting posting)
    {
        var receiving = _receivingBins.TryGetValue(posting.Site, out var bin) ? bin : (BinId?)null;
        switch (_wms.ApplyErpPosting(posting, receiving, out var reason, out var message))
        {
            case ErpPostingOutcome.Applied:
                Interlocked.Increment(ref _delivered);
                break;
            case ErpPostingOutcome.NotWarehouseManaged:
                Interlocked.Increment(ref _passedBy);
                break;
            default:
                _refused.Enqueue(new ErpToWmsRefusal { Posting = posting, Reason = reason, Message = message ?? string.Empty, At = _timeProvider.GetUtcNow() });
                break;
        }
    }

    private Channel ChannelFor(LotId lot) => _channels.GetOrAdd(lot, static _ => new Channel());

    private sealed class Channel
    {
        public Lock Gate { get; } = new();

        public int ToLose { get; set; }

        public bool Held { get; set; }

        public Queue<ErpStockPosting> Pending { get; } = new();

        public ITimer? Timer { get; set; }
    }
}

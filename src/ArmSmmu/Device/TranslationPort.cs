using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using ArmSmmu.Caches;

namespace ArmSmmu;

/// <summary>
/// One requester's connection to an <see cref="SmmuV3"/> (a device, a DMA engine, a simulation thread), opened with
/// <see cref="SmmuV3.OpenPort"/>. Translating through a port gives exactly what <see cref="SmmuV3.Translate"/> gives:
/// the same TLB, configuration caches, faults and events. What differs is where a TLB hit is counted in
/// <see cref="SmmuV3.Statistics"/>: the device finds a counter cell of the calling thread's own (by its stack); a port
/// counts in a cell of its own, a few instructions fewer per hit.
/// </summary>
/// <remarks>
/// Use a port from one thread at a time, as a bus master issues its transactions one after another: from several
/// threads at once translations stay correct, but the statistics may miss some of them. Open one port per requester,
/// not per transaction, and dispose it when the requester goes: every open port is a cell that each read of the
/// statistics sums (what it counted stays counted).
/// </remarks>
public sealed class TranslationPort : IDisposable
{
    private readonly PerThreadCounter _counter;
    private PerThreadCounter.Cell? _cell;

    internal TranslationPort(SmmuV3 smmu, PerThreadCounter counter)
    {
        Smmu = smmu;
        _counter = counter;
        _cell = counter.NewCell();
    }

    /// <summary>The SMMU this port translates through.</summary>
    public SmmuV3 Smmu { get; }

    /// <summary>Translates one transaction, as <see cref="SmmuV3.Translate"/> does.</summary>
    /// <param name="request">The transaction.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ObjectDisposedException">The port was disposed.</exception>
    public TranslationResult Translate(in TranslationRequest request)
    {
        // The throw is out of line: with it here the frame kept registers and the result could not be tail-called.
        var cell = _cell;
        if (cell is null)
        {
            ThrowDisposed();
        }

        return Smmu.TranslateFrom(cell, request);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDisposed() =>
        throw new ObjectDisposedException(nameof(TranslationPort), "This port was disposed; open another with SmmuV3.OpenPort().");

    /// <summary>Closes the port; what it counted stays in the statistics.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _cell, null) is { } cell)
        {
            _counter.Retire(cell);
        }
    }
}

using ArmSmmu.Driver;
using ArmSmmu.Structures;

namespace ArmSmmu.Driver;

// Streams and PASIDs: STE and CD writes with their CFGI commands.
public sealed partial class Iommu
{
    /// <summary>
    /// Configures <paramref name="streamId"/> and enables it: writes its CD table, CD 0 and page tables as the mode
    /// needs, then the STE (IHI0070 §3.21.3.1). A stream that was configured before is torn down first.
    /// </summary>
    /// <param name="streamId">The StreamID.</param>
    /// <param name="mode">Abort, bypass, stage 1, stage 2 or nested.</param>
    /// <param name="options">Granule, address sizes, stalls, PASID bits; null for <see cref="StreamOptions.Default"/>.</param>
    public void ConfigureStream(uint streamId, StreamMode mode, StreamOptions? options = null)
    {
        options ??= StreamOptions.Default;
        lock (_lock)
        {
            CheckStreamId(streamId);
            if (_streams.TryGetValue(streamId, out var old))
            {
                TearDown(old); // while still listed: its DisableAts looks the stream up
                _streams.Remove(streamId);
            }

            var state = new StreamState(streamId, mode, options);
            try
            {
                state.Ste = Build(state);
                Driver.WriteSte(streamId, state.Ste);
            }
            catch
            {
                Release(state);
                throw;
            }

            state.Enabled = true;
            _streams[streamId] = state;
        }
    }

    /// <summary>Removes the stream's configuration: abort STE, domains and tables freed.</summary>
    /// <param name="streamId">A configured stream.</param>
    public void RemoveStream(uint streamId)
    {
        lock (_lock)
        {
            TearDown(Get(streamId));
            _streams.Remove(streamId);
        }
    }

    /// <summary>Re-installs the stream's configured STE after <see cref="DisableStream"/>.</summary>
    /// <param name="streamId">A configured stream.</param>
    public void EnableStream(uint streamId)
    {
        lock (_lock)
        {
            var state = Get(streamId);
            Driver.WriteSte(streamId, state.Ste);
            state.Enabled = true;
        }
    }

    /// <summary>Makes the stream abort all traffic (abort STE + CFGI_STE + SYNC), keeping its tables and mappings for <see cref="EnableStream"/>.</summary>
    /// <param name="streamId">A configured stream.</param>
    public void DisableStream(uint streamId)
    {
        lock (_lock)
        {
            var state = Get(streamId);
            Driver.WriteSte(streamId, StreamTableEntry.Abort);
            state.Enabled = false;
        }
    }

    /// <summary>Whether the stream is configured and enabled.</summary>
    /// <param name="streamId">A StreamID.</param>
    /// <returns>True when its configured STE is installed.</returns>
    public bool IsStreamEnabled(uint streamId)
    {
        lock (_lock)
        {
            return _streams.TryGetValue(streamId, out var state) && state.Enabled;
        }
    }

    /// <summary>The mode the stream was configured with, or null when it is not configured.</summary>
    /// <param name="streamId">A StreamID.</param>
    /// <returns>The mode.</returns>
    public StreamMode? GetStreamMode(uint streamId)
    {
        lock (_lock)
        {
            return _streams.TryGetValue(streamId, out var state) ? state.Mode : null;
        }
    }

    /// <summary>Creates a substream with its own stage-1 domain (ASID and tables): its CD is written with CFGI_CD + SYNC.</summary>
    /// <param name="streamId">A Stage1 or Nested stream.</param>
    /// <param name="pasid">1 .. 2^PasidBits - 1 (PASID 0 is reserved, see the class remarks).</param>
    public void CreatePasid(uint streamId, uint pasid)
    {
        lock (_lock)
        {
            var state = Get(streamId);
            var cds = RequireCdTable(state);
            CheckPasid(state, pasid, cds);
            if (state.Pasids.ContainsKey(pasid))
            {
                throw new InvalidOperationException($"PASID {pasid} of stream {streamId} already exists.");
            }

            var domain = Driver.CreateStage1Domain(state.Options.Granule, state.Options.InputAddressBits, state.Stage2, state.Options.Stall);
            try
            {
                cds.Write(pasid, domain.ContextDescriptor);
            }
            catch
            {
                domain.Dispose();
                throw;
            }

            state.Pasids[pasid] = domain;
            if (_atsEndpoints.ContainsKey(streamId))
            {
                Driver.BindAts(domain, streamId, pasid); // its unmaps invalidate the function's ATC too
                if (state.Stage2 is { } s2)
                {
                    Driver.BindAts(s2, streamId, pasid);
                }
            }
        }
    }

    /// <summary>Removes a substream: its CD is made invalid (CFGI_CD + SYNC), its TLB entries invalidated and its tables freed.</summary>
    /// <param name="streamId">A Stage1 or Nested stream.</param>
    /// <param name="pasid">An existing PASID.</param>
    public void RemovePasid(uint streamId, uint pasid)
    {
        lock (_lock)
        {
            var state = Get(streamId);
            var cds = RequireCdTable(state);
            if (!state.Pasids.Remove(pasid, out var domain))
            {
                throw new ArgumentException($"Stream {streamId} has no PASID {pasid}.", nameof(pasid));
            }

            cds.Clear(pasid);
            domain.Dispose();
        }
    }

    /// <summary>The PASIDs of a stream.</summary>
    /// <param name="streamId">A configured stream.</param>
    /// <returns>The PASIDs, ascending.</returns>
    public IReadOnlyList<uint> GetPasids(uint streamId)
    {
        lock (_lock)
        {
            return [.. Get(streamId).Pasids.Keys.Order()];
        }
    }
}

using ArmSmmu.Structures;

namespace ArmSmmu;

// Snapshot section "stalls": the stalled transactions and the stall fault records not yet visible (IHI0070 §3.12.2,
// §4.7.3, §7.2.1, §7.4).
public sealed partial class SmmuV3
{
    private readonly struct StallState(SmmuV3 device) : IStateSection
    {
        public void Save(StateSection section)
        {
            section.Put("nextStag", device._nextStag);
            // Oldest first: CMD_STALL_TERM and SMMUEN = 0 resolve them in this order.
            section.PutList("stalled", device._stalls.OrderBy(static s => s.Value).Select(static s => s.Key), PutKey);
            section.PutList("heldRecords", device._heldStallRecords, PutRecord);
            section.PutList("invalidatedHeld", device._invalidatedHeldStalls.Order(), PutKey);
            section.PutList("retryWhenWritable", device._retryWhenWritable, PutKey);
        }

        public void Restore(StateSection section)
        {
            // Reset clears the stalls and held records but not these two: a device restored twice must not keep them.
            device._invalidatedHeldStalls.Clear();
            device._retryWhenWritable.Clear();
            device._nextStag = Stag(section, "nextStag");
            foreach (var key in section.GetList("stalled", GetKey))
            {
                device._stalls.Add(key, device._stallSequence++);
            }

            foreach (var record in section.GetList("heldRecords", GetRecord))
            {
                device._heldStallRecords.Enqueue(record);
            }

            device._invalidatedHeldStalls.UnionWith(section.GetList("invalidatedHeld", GetKey));
            device._retryWhenWritable.AddRange(section.GetList("retryWhenWritable", GetKey));
        }

        private static void PutKey(StateSection s, (uint StreamId, ushort Stag) key)
        {
            s.Put("streamId", key.StreamId);
            s.Put("stag", key.Stag);
        }

        private static (uint StreamId, ushort Stag) GetKey(StateSection s)
        {
            return (s.GetUInt32("streamId"), Stag(s, "stag"));
        }

        private static ushort Stag(StateSection s, string name)
        {
            uint stag = s.GetUInt32(name);
            return stag <= ushort.MaxValue ? (ushort)stag : throw new InvalidDataException($"Snapshot field '{name}' must fit 16 bits (a STAG).");
        }

        // An event record as its four wire words dw0-dw3 (IHI0070 §7.3).
        private static void PutRecord(StateSection s, EventRecord record)
        {
            var words = record.ToArray();
            for (int i = 0; i < words.Length; i++)
            {
                s.Put(WordName(i), words[i]);
            }
        }

        private static EventRecord GetRecord(StateSection s)
        {
            Span<ulong> words = stackalloc ulong[4];
            for (int i = 0; i < words.Length; i++)
            {
                words[i] = s.GetUInt64(WordName(i));
            }

            return new EventRecord(words);
        }

        private static string WordName(int i) => "dw" + (char)('0' + i);
    }
}

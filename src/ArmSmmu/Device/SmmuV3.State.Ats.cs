namespace ArmSmmu;

// Device snapshot section "ats" (version 4). The functions behind the ATS port are host objects with ATCs of their
// own: they are not in the snapshot, and the host connects them to the restored device again (ConnectEndpoint).
// What the SMMU itself holds is one flag: an ATS invalidation since the last CMD_SYNC went unanswered, so the next
// CMD_SYNC fails with CERROR_ATC_INV_SYNC (IHI0070 §3.9.1.4).
public sealed partial class SmmuV3
{
    private readonly struct AtsState(SmmuV3 device) : IStateSection
    {
        public void Save(StateSection section) =>
            section.PutNumber("atcInvalidationTimedOut", device._atcInvalidationTimedOut ? 1 : 0);

        public void Restore(StateSection section) =>
            device._atcInvalidationTimedOut = section.GetNumber("atcInvalidationTimedOut") != 0;
    }
}

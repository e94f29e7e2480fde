// tb_smmu: ArmSmmu as a golden model inside a SystemVerilog testbench (DPI-C, runs on Verilator).
//
// The testbench plays the SMMUv3 driver and the DMA master at once, all through MMIO and memory writes:
//   1. probe the ID registers, lay out a stream table (stage-1, bypass, abort and invalid STEs), one CD, 4 KB
//      stage-1 page tables and the command / event queues in the model's memory, enable the SMMU the way Linux
//      does (IHI0070 §3.11);
//   2. run a DMA-like copy (bursts that never cross 4 KB) through the model and compare every translated
//      address with the PA the testbench put in its own page tables (the scoreboard);
//   3. provoke faults (read-only page, unmapped IOVA, invalid STE, out-of-range StreamID), unmap a page with
//      PTE clear + CMD_TLBI_NH_VA + CMD_SYNC, and check each event record the model writes.
// Field positions come from IHI0070 (section numbers next to each encoding).
module tb_smmu;
  import armsmmu_dpi_pkg::*;

  // ---- Physical memory layout chosen by this "driver" ----
  localparam longint unsigned STRTAB = 64'h1_0000;        // linear stream table, 2^4 STEs of 64 bytes
  localparam int unsigned STRTAB_LOG2SIZE = 4;
  localparam longint unsigned CD_TABLE = 64'h2_0000;      // one CD (STE.S1CDMax = 0)
  localparam longint unsigned CMDQ = 64'h3_0000;          // 2^8 commands of 16 bytes
  localparam int unsigned CMDQ_LOG2SIZE = 8;
  localparam longint unsigned EVTQ = 64'h4_0000;          // 2^7 event records of 32 bytes
  localparam int unsigned EVTQ_LOG2SIZE = 7;
  localparam longint unsigned PT_L0 = 64'h10_0000;        // one 4 KB table per level, L0..L3
  localparam longint unsigned PT_L1 = 64'h10_1000;
  localparam longint unsigned PT_L2 = 64'h10_2000;
  localparam longint unsigned PT_L3 = 64'h10_3000;
  localparam longint unsigned DATA_PA = 64'h8_0000_0000;  // the buffers' physical pages

  // ---- The device under the driver's control ----
  localparam int unsigned SID_DMA = 3;      // stage-1 translated
  localparam int unsigned SID_INVALID = 1;  // STE.V = 0
  localparam int unsigned SID_ABORT = 5;    // STE.Config = 000: abort, no event
  localparam int unsigned SID_BYPASS = 7;   // STE.Config = 100
  localparam int unsigned ASID = 1;
  localparam longint unsigned IOVA_BASE = 64'h12_3400_0000;  // 2 MB aligned: all pages share one L3 table
  localparam int NPAGES = 16;                                 // pages 0..7 read-only source, 8..15 writable

  chandle smmu;
  int passed = 0;
  int failed = 0;
  bit verbose;
  longint unsigned page_pa[NPAGES];
  int unsigned cmdq_prod = 0;  // software shadows: index plus wrap bit (§3.5.1)
  int unsigned evtq_cons = 0;
  int unsigned eventq_irqs = 0;  // event-queue interrupt pulses already accounted for
  int explained = 0;             // mismatches explained so far (the first few are enough)

  typedef struct packed {
    longint unsigned dw3, dw2, dw1, dw0;
  } event_record_t;

  // ---- Scoreboard bookkeeping ----
  function automatic void check(bit ok, string what);
    if (ok) begin
      passed++;
      if (verbose) $display("PASS %s", what);
    end else begin
      failed++;
      $display("FAIL %s", what);
    end
  endfunction

  // ---- Memory and MMIO helpers ----
  function automatic void mem_write(longint unsigned addr, longint unsigned value);
    if (smmu_dpi_write_mem64(smmu, addr, value) != 0)
      $fatal(1, "memory write at 0x%0h failed: %s", addr, smmu_dpi_last_error());
  endfunction

  function automatic longint unsigned mem_read(longint unsigned addr);
    longint unsigned value;
    if (smmu_dpi_read_mem64(smmu, addr, value) != 0)
      $fatal(1, "memory read at 0x%0h failed: %s", addr, smmu_dpi_last_error());
    return value;
  endfunction

  // Write a register whose effect is acknowledged in another (CR0 -> CR0ACK), then poll like a driver (§6.3.9).
  function automatic void write_acked(int unsigned reg_offset, int unsigned ack_offset, int unsigned value);
    smmu_dpi_write_reg32(smmu, reg_offset, value);
    for (int poll = 0; poll < 1000; poll++)
      if (smmu_dpi_read_reg32(smmu, ack_offset) == value) return;
    $fatal(1, "register 0x%0h never acknowledged 0x%0h", reg_offset, value);
  endfunction

  // ---- Command queue (§3.5, §4) ----
  function automatic void submit(longint unsigned dw0, longint unsigned dw1);
    int unsigned index = cmdq_prod & ((1 << CMDQ_LOG2SIZE) - 1);
    longint unsigned slot = CMDQ + 64'(index) * 16;
    mem_write(slot, dw0);
    mem_write(slot + 8, dw1);
    cmdq_prod = (cmdq_prod + 1) & ((2 << CMDQ_LOG2SIZE) - 1);
    smmu_dpi_write_reg32(smmu, CMDQ_PROD, cmdq_prod);
  endfunction

  // CMD_SYNC with CS = none; completion is CMDQ_CONS passing it (§4.7.3). No command may have failed (§4.5).
  function automatic void sync();
    int unsigned cons;
    submit(64'(CMD_SYNC), 0);
    for (int poll = 0; poll < 1000; poll++) begin
      cons = smmu_dpi_read_reg32(smmu, CMDQ_CONS);
      if ((cons & ((2 << CMDQ_LOG2SIZE) - 1)) == cmdq_prod) break;
    end
    check((cons & ((2 << CMDQ_LOG2SIZE) - 1)) == cmdq_prod, "CMD_SYNC consumed");
    check(((cons >> 24) & 'h7F) == 0, $sformatf("CMDQ_CONS.ERR = 0 (got 0x%0h)", (cons >> 24) & 'h7F));
  endfunction

  // ---- Event queue consumer (§3.5, §7.3) ----
  function automatic bit next_event(output event_record_t record);
    int unsigned prod = smmu_dpi_read_reg32(smmu, EVENTQ_PROD) & ((2 << EVTQ_LOG2SIZE) - 1);
    int unsigned index = evtq_cons & ((1 << EVTQ_LOG2SIZE) - 1);
    longint unsigned slot = EVTQ + 64'(index) * 32;
    record = '0;
    if (prod == evtq_cons) return 0;
    record.dw0 = mem_read(slot);
    record.dw1 = mem_read(slot + 8);
    record.dw2 = mem_read(slot + 16);
    record.dw3 = mem_read(slot + 24);
    evtq_cons = (evtq_cons + 1) & ((2 << EVTQ_LOG2SIZE) - 1);
    smmu_dpi_write_reg32(smmu, EVENTQ_CONS, evtq_cons);
    return 1;
  endfunction

  // Exactly one record: event number dw0[7:0], StreamID dw0[63:32]; for translation faults also InputAddr dw2 and
  // RnW dw1[35] (1 = read) (§7.3).
  function automatic void expect_event(int unsigned number, int unsigned sid, bit has_address,
                                       longint unsigned iova, bit is_read);
    event_record_t record;
    string what = $sformatf("event 0x%02h SID %0d", number, sid);
    int unsigned irqs = smmu_dpi_irq_count(smmu, IRQ_EVENTQ);
    // The queue was empty before this record, so its arrival pulsed the wired event-queue line once (§3.18).
    check(irqs == eventq_irqs + 1, $sformatf("%s: one event-queue interrupt (got %0d)", what, irqs - eventq_irqs));
    eventq_irqs = irqs;
    if (!next_event(record)) begin
      check(0, {what, " recorded"});
      return;
    end
    $display("  event record: %016h %016h %016h %016h", record.dw0, record.dw1, record.dw2, record.dw3);
    check(record.dw0[7:0] == 8'(number), $sformatf("%s: event number (got 0x%02h)", what, record.dw0[7:0]));
    check(record.dw0[63:32] == sid, $sformatf("%s: StreamID (got %0d)", what, record.dw0[63:32]));
    if (has_address) begin
      check(record.dw2 == iova, $sformatf("%s: InputAddr 0x%0h (got 0x%0h)", what, iova, record.dw2));
      check(record.dw1[35] == is_read, $sformatf("%s: RnW = %0d", what, is_read));
    end
    check(!next_event(record), {what, ": no further record"});
  endfunction

  function automatic void expect_no_event(string what);
    event_record_t record;
    bit found = next_event(record);
    check(smmu_dpi_irq_count(smmu, IRQ_EVENTQ) == eventq_irqs, {what, ": no event-queue interrupt"});
    check(!found, $sformatf("%s: no event recorded%s", what, found ? $sformatf(" (got %016h %016h %016h %016h)",
                            record.dw0, record.dw1, record.dw2, record.dw3) : ""));
  endfunction

  // ---- Structures (§5.2 STE, §5.4 CD, VMSAv8-64 descriptors) ----
  function automatic void write_ste(int unsigned sid, longint unsigned dw0, longint unsigned dw1);
    longint unsigned ste = STRTAB + 64'(sid * 64);
    mem_write(ste + 8, dw1);
    for (int i = 2; i < 8; i++) mem_write(ste + 64'(i * 8), 0);
    mem_write(ste, dw0);  // dw0 last: it holds V
  endfunction

  function automatic longint unsigned page_descriptor(longint unsigned pa, bit read_only);
    longint unsigned d = pa | 64'b11;  // [1:0] = 11: page at level 3
    d |= 64'd1 << 2;                   // AttrIndx = 1 -> MAIR Attr1 = 0xFF, Normal WB
    d |= 64'd1 << 6;                   // AP[1] = 1: unprivileged (EL0) access allowed
    if (read_only) d |= 64'd1 << 7;    // AP[2] = 1: read-only
    d |= 64'b11 << 8;                  // SH = Inner Shareable
    d |= 64'd1 << 10;                  // AF
    d |= 64'd1 << 11;                  // nG: tagged with the ASID
    return d;
  endfunction

  function automatic longint unsigned l3_entry(longint unsigned iova);
    return PT_L3 + ((iova >> 12) & 'h1FF) * 8;
  endfunction

  function automatic longint unsigned expected_pa(longint unsigned iova);
    int page = int'((iova - IOVA_BASE) >> 12);
    if (page < 0 || page >= NPAGES) $fatal(1, "IOVA 0x%0h is outside the mapped buffer", iova);
    return page_pa[page] | (iova & 'hFFF);
  endfunction

  function automatic void build_page_tables();
    // 4 KB granule, T0SZ = 16: the walk starts at level 0; level n indexes IOVA bits [47-9n:39-9n] (ARM D8.2).
    mem_write(PT_L0 + ((IOVA_BASE >> 39) & 'h1FF) * 8, PT_L1 | 64'b11);  // table descriptors: [1:0] = 11
    mem_write(PT_L1 + ((IOVA_BASE >> 30) & 'h1FF) * 8, PT_L2 | 64'b11);
    mem_write(PT_L2 + ((IOVA_BASE >> 21) & 'h1FF) * 8, PT_L3 | 64'b11);
    for (int i = 0; i < NPAGES; i++) begin
      // A scattered, non-identity placement so a wrong index cannot pass by accident (5 is coprime to 16).
      int frame = (i * 5) % NPAGES;
      page_pa[i] = DATA_PA + 64'(frame) * 4096;
      mem_write(l3_entry(IOVA_BASE + 64'(i * 4096)), page_descriptor(page_pa[i], i < 8));
    end
  endfunction

  function automatic void build_stream_table();
    longint unsigned cd0;
    for (int unsigned sid = 0; sid < (1 << STRTAB_LOG2SIZE); sid++)
      if (sid != SID_INVALID) write_ste(sid, 64'h1, 0);  // V = 1, Config = 000: abort without an event
    // Stage-1 STE (§5.2): V, Config = 101, S1Fmt = 00, S1ContextPtr = CD_TABLE, S1CDMax = 0;
    // dw1: S1CIR = S1COR = WB (01), S1CSH = ISH (11), S1STALLD = 1 (the CD does not stall).
    write_ste(SID_DMA, CD_TABLE | (64'b101 << 1) | 64'h1,
              (64'b01 << 2) | (64'b01 << 4) | (64'b11 << 6) | (64'd1 << 27));
    // Bypass STE: Config = 100, SHCFG = 01 (use incoming) as Linux writes it.
    write_ste(SID_BYPASS, (64'b100 << 1) | 64'h1, 64'b01 << 44);

    // CD (§5.4): T0SZ = 16, TG0 = 4 KB, IR0 = OR0 = WB (01), SH0 = ISH, EPD1 = 1 (no TTB1), V = 1,
    // IPS = 101 (48 bits), AA64 = 1, R = 1 (record faults), A = 1 (abort), ASET = 1, ASID.
    cd0 = 64'd16 | (64'b00 << 6) | (64'b01 << 8) | (64'b01 << 10) | (64'b11 << 12) | (64'd1 << 30)
        | (64'd1 << 31) | (64'b101 << 32) | (64'd1 << 41) | (64'd1 << 45) | (64'd1 << 46) | (64'd1 << 47)
        | (64'(ASID) << 48);
    mem_write(CD_TABLE + 8, PT_L0);                  // dw1: TTB0
    mem_write(CD_TABLE + 16, 0);
    mem_write(CD_TABLE + 24, 64'hF404_FF44);          // dw3: MAIR (Attr0 NC, Attr1 WB, Attr2 Device)
    for (int i = 4; i < 8; i++) mem_write(CD_TABLE + 64'(i * 8), 0);
    mem_write(CD_TABLE, cd0);
  endfunction

  // The Linux arm-smmu-v3 reset order (IHI0070 §3.11): tables and queues, CMDQEN, invalidate, EVENTQEN, SMMUEN.
  function automatic void bring_up();
    int unsigned idr0 = smmu_dpi_read_reg32(smmu, IDR0);
    int unsigned idr1 = smmu_dpi_read_reg32(smmu, IDR1);
    int unsigned idr5 = smmu_dpi_read_reg32(smmu, IDR5);
    if (idr0[1] != 1 || idr0[3:2] == 2'b01 || idr5[4] != 1 || int'(idr1[5:0]) < STRTAB_LOG2SIZE)
      $fatal(1, "device lacks stage 1, AArch64 tables, 4 KB granule or %0d StreamID bits", STRTAB_LOG2SIZE);
    $display("IDR0 0x%08h IDR1 0x%08h IDR5 0x%08h", idr0, idr1, idr5);

    write_acked(CR0, CR0ACK, 0);
    smmu_dpi_write_reg32(smmu, CR1, 'hD75);  // tables and queues: ISH, WB, WB
    smmu_dpi_write_reg32(smmu, CR2, 'h2);    // RECINVSID: record C_BAD_STREAMID
    smmu_dpi_write_reg64(smmu, STRTAB_BASE, (64'd1 << 62) | STRTAB);
    smmu_dpi_write_reg32(smmu, STRTAB_BASE_CFG, STRTAB_LOG2SIZE);  // FMT = 00 linear
    smmu_dpi_write_reg64(smmu, CMDQ_BASE, (64'd1 << 62) | CMDQ | 64'(CMDQ_LOG2SIZE));
    smmu_dpi_write_reg32(smmu, CMDQ_PROD, 0);
    smmu_dpi_write_reg32(smmu, CMDQ_CONS, 0);
    write_acked(CR0, CR0ACK, CR0_CMDQEN);
    submit(64'(CMD_CFGI_ALL), 31);  // CFGI_STE_RANGE with Range = 31: every StreamID
    sync();
    submit(64'(CMD_TLBI_NSNH_ALL), 0);
    sync();
    smmu_dpi_write_reg64(smmu, EVENTQ_BASE, (64'd1 << 62) | EVTQ | 64'(EVTQ_LOG2SIZE));
    smmu_dpi_write_reg32(smmu, EVENTQ_PROD, 0);
    smmu_dpi_write_reg32(smmu, EVENTQ_CONS, 0);
    write_acked(CR0, CR0ACK, CR0_CMDQEN | CR0_EVENTQEN);
    // Wired interrupts (EVENTQ_IRQ_CFG0 = 0: no MSI) for new event records and global errors (§6.3.13).
    write_acked(IRQ_CTRL, IRQ_CTRLACK, IRQ_CTRL_EVENTQ_IRQEN | IRQ_CTRL_GERROR_IRQEN);
    write_acked(CR0, CR0ACK, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN);
  endfunction

  // ---- The scoreboard compare: a transaction, the model's answer, the expected answer ----
  function automatic void check_translation(int unsigned sid, longint unsigned iova, int access,
                                            int exp_outcome, longint unsigned exp_pa, int unsigned exp_fault);
    longint unsigned pa;
    int unsigned fault;
    int outcome = smmu_dpi_translate(smmu, sid, iova, access, pa, fault);
    string what = $sformatf("SID %0d %s 0x%0h", sid, access_name(access), iova);
    if (outcome < 0) $fatal(1, "%s: translate failed: %s", what, smmu_dpi_last_error());
    check(outcome == exp_outcome, $sformatf("%s: %s (expected %s)", what, outcome_name(outcome),
                                            outcome_name(exp_outcome)));
    if (exp_outcome == OUTCOME_FAULTED)
      check(fault == exp_fault, $sformatf("%s: fault 0x%02h (expected 0x%02h)", what, fault, exp_fault));
    else
      check(pa == exp_pa, $sformatf("%s: PA 0x%0h (expected 0x%0h)", what, pa, exp_pa));
    if ((outcome != exp_outcome || (exp_outcome != OUTCOME_FAULTED && pa != exp_pa)) && explained < 3) begin
      $display("%s", smmu_dpi_explain(smmu, sid, iova, access));  // the model's reasoning, for the mismatch
      explained++;
    end
  endfunction

  // A DMA engine copying len bytes: each burst reads from src and writes to dst, at most 256 bytes and never
  // across a 4 KB boundary on either side (the AXI rule), so every burst is one translation per direction.
  function automatic int dma_copy(int unsigned sid, longint unsigned src, longint unsigned dst, int len);
    int bursts = 0;
    for (int off = 0; off < len; ) begin
      int n = len - off;
      longint unsigned s = src + 64'(off), d = dst + 64'(off);
      if (n > 256) n = 256;
      if (n > 4096 - int'(s & 'hFFF)) n = 4096 - int'(s & 'hFFF);
      if (n > 4096 - int'(d & 'hFFF)) n = 4096 - int'(d & 'hFFF);
      check_translation(sid, s, ACCESS_READ, OUTCOME_TRANSLATED, expected_pa(s), 0);
      check_translation(sid, d, ACCESS_WRITE, OUTCOME_TRANSLATED, expected_pa(d), 0);
      off += n;
      bursts++;
    end
    return bursts;
  endfunction

  initial begin
    longint unsigned victim = IOVA_BASE + 9 * 4096 + 'h40;
    verbose = $test$plusargs("verbose") != 0;
    smmu = smmu_dpi_create();
    if (smmu == null) $fatal(1, "smmu_dpi_create failed");

    build_page_tables();
    build_stream_table();
    bring_up();
    check(smmu_dpi_read_reg32(smmu, CR0ACK) == (CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN), "SMMU enabled");

    // A 12 KB copy from the read-only source pages into the writable ones, both misaligned.
    $display("DMA copy: %0d bursts", dma_copy(SID_DMA, IOVA_BASE + 'h880, IOVA_BASE + 8 * 4096 + 'h120, 'h3000));
    expect_no_event("DMA copy");

    // Writing a read-only page: F_PERMISSION, recorded (CD.R = 1), aborted (CD.A = 1) (§5.5, §7.3).
    check_translation(SID_DMA, IOVA_BASE + 2 * 4096 + 8, ACCESS_WRITE, OUTCOME_FAULTED, 0, F_PERMISSION);
    expect_event(F_PERMISSION, SID_DMA, 1, IOVA_BASE + 2 * 4096 + 8, 0);
    // Past the mapped pages the L3 entry is 0 (invalid): F_TRANSLATION (§7.3).
    check_translation(SID_DMA, IOVA_BASE + NPAGES * 4096, ACCESS_READ, OUTCOME_FAULTED, 0, F_TRANSLATION);
    expect_event(F_TRANSLATION, SID_DMA, 1, IOVA_BASE + NPAGES * 4096, 1);
    // Configuration faults (§7.3): STE.V = 0, and a StreamID beyond STRTAB_BASE_CFG.LOG2SIZE.
    check_translation(SID_INVALID, IOVA_BASE, ACCESS_READ, OUTCOME_FAULTED, 0, C_BAD_STE);
    expect_event(C_BAD_STE, SID_INVALID, 0, 0, 0);
    check_translation(1 << STRTAB_LOG2SIZE, IOVA_BASE, ACCESS_READ, OUTCOME_FAULTED, 0, C_BAD_STREAMID);
    expect_event(C_BAD_STREAMID, 1 << STRTAB_LOG2SIZE, 0, 0, 0);
    // STE.Config = 000 aborts silently; Config = 100 passes the address through unchanged (§5.2).
    check_translation(SID_ABORT, IOVA_BASE, ACCESS_READ, OUTCOME_FAULTED, 0, 0);
    expect_no_event("abort STE");
    check_translation(SID_BYPASS, 64'h1234_5678, ACCESS_WRITE, OUTCOME_BYPASSED, 64'h1234_5678, 0);

    // Unmap page 9 the way a driver does: clear the PTE, CMD_TLBI_NH_VA (ASID, VA, Leaf), CMD_SYNC (§4.4, §4.7.3).
    check_translation(SID_DMA, victim, ACCESS_READ, OUTCOME_TRANSLATED, expected_pa(victim), 0);  // now in the TLB
    mem_write(l3_entry(victim), 0);
    submit(64'(CMD_TLBI_NH_VA) | (64'(ASID) << 48), (victim & ~64'hFFF) | 64'd1);
    sync();
    check_translation(SID_DMA, victim, ACCESS_READ, OUTCOME_FAULTED, 0, F_TRANSLATION);
    expect_event(F_TRANSLATION, SID_DMA, 1, victim, 1);
    check_translation(SID_DMA, victim + 4096, ACCESS_WRITE, OUTCOME_TRANSLATED, expected_pa(victim + 4096), 0);

    check(smmu_dpi_read_reg32(smmu, GERROR) == smmu_dpi_read_reg32(smmu, GERRORN), "no global error active");
    check(smmu_dpi_irq_count(smmu, IRQ_GERROR) == 0, "no global-error interrupt");
    smmu_dpi_destroy(smmu);

    $display("%0d passed, %0d failed", passed, failed);
    if (failed != 0) $fatal(1, "tb_smmu: %0d checks failed", failed);
    $finish;
  end
endmodule

// armsmmu_dpi_pkg: the DPI-C imports of armsmmu_dpi.c plus the SMMUv3 constants a testbench needs.
// Import it into a testbench or UVM environment with `import armsmmu_dpi_pkg::*;`.
package armsmmu_dpi_pkg;
  // verilator lint_off UNUSEDPARAM

  // ---- The model (armsmmu_dpi.c over libarmsmmu.so) ----
  import "DPI-C" function chandle smmu_dpi_create();
  import "DPI-C" function void smmu_dpi_destroy(input chandle h);
  // Physical memory the SMMU walks (stream table, CDs, page tables, queues). Return 0 = ok.
  import "DPI-C" function int smmu_dpi_write_mem64(input chandle h, input longint unsigned addr,
                                                   input longint unsigned value);
  import "DPI-C" function int smmu_dpi_read_mem64(input chandle h, input longint unsigned addr,
                                                  output longint unsigned value);
  // MMIO: page 0 at 0x0, page 1 at 0x10000 (IHI0070 §6.1).
  import "DPI-C" function void smmu_dpi_write_reg32(input chandle h, input int unsigned offset,
                                                    input int unsigned value);
  import "DPI-C" function void smmu_dpi_write_reg64(input chandle h, input int unsigned offset,
                                                    input longint unsigned value);
  import "DPI-C" function int unsigned smmu_dpi_read_reg32(input chandle h, input int unsigned offset);
  import "DPI-C" function longint unsigned smmu_dpi_read_reg64(input chandle h, input int unsigned offset);
  // Returns an outcome (OUTCOME_*) or -1 when the call failed (smmu_dpi_last_error() says why).
  // fault = IHI0070 §7.3 event number, 0 when none.
  import "DPI-C" function int smmu_dpi_translate(input chandle h, input int unsigned sid,
                                                 input longint unsigned iova, input int access,
                                                 output longint unsigned pa, output int unsigned fault);
  import "DPI-C" function int smmu_dpi_translate_ex(input chandle h, input int unsigned sid,
                                                    input int substream_valid, input int unsigned ssid,
                                                    input longint unsigned iova, input int access,
                                                    input int privileged, output longint unsigned pa,
                                                    output int unsigned fault, output int unsigned stall_tag);
  import "DPI-C" function string smmu_dpi_last_error();
  // Pulses of a wired interrupt line (IRQ_* below) since creation.
  import "DPI-C" function int unsigned smmu_dpi_irq_count(input chandle h, input int line);
  // The model's reasoning for one transaction (STE, CD, each descriptor, the rule broken); no side effects.
  import "DPI-C" function string smmu_dpi_explain(input chandle h, input int unsigned sid,
                                                  input longint unsigned iova, input int access);

  // ---- armsmmu.h enumerations ----
  localparam int ACCESS_READ = 0, ACCESS_WRITE = 1, ACCESS_EXECUTE = 2;
  localparam int OUTCOME_TRANSLATED = 0, OUTCOME_BYPASSED = 1, OUTCOME_FAULTED = 2, OUTCOME_STALLED = 3;
  localparam int IRQ_EVENTQ = 0, IRQ_PRIQ = 1, IRQ_GERROR = 2, IRQ_CMD_SYNC = 3, IRQ_SEV = 4;

  // ---- Registers (IHI0070 §6.2/§6.3) ----
  localparam int unsigned IDR0 = 'h0, IDR1 = 'h4, IDR5 = 'h14;
  localparam int unsigned CR0 = 'h20, CR0ACK = 'h24, CR1 = 'h28, CR2 = 'h2C;
  localparam int unsigned IRQ_CTRL = 'h50, IRQ_CTRLACK = 'h54, GERROR = 'h60, GERRORN = 'h64;
  localparam int unsigned STRTAB_BASE = 'h80, STRTAB_BASE_CFG = 'h88;
  localparam int unsigned CMDQ_BASE = 'h90, CMDQ_PROD = 'h98, CMDQ_CONS = 'h9C;
  localparam int unsigned EVENTQ_BASE = 'hA0, EVENTQ_PROD = 'h100A8, EVENTQ_CONS = 'h100AC;  // page 1
  // CR0 / CR0ACK bits (§6.3.9)
  localparam int unsigned CR0_SMMUEN = 1 << 0, CR0_EVENTQEN = 1 << 2, CR0_CMDQEN = 1 << 3;
  // IRQ_CTRL / IRQ_CTRLACK bits (§6.3.13)
  localparam int unsigned IRQ_CTRL_GERROR_IRQEN = 1 << 0, IRQ_CTRL_EVENTQ_IRQEN = 1 << 2;

  // ---- Command opcodes (§4.1.1) and event numbers (§7.3) ----
  localparam byte unsigned CMD_CFGI_STE = 'h03, CMD_CFGI_ALL = 'h04, CMD_TLBI_NH_VA = 'h12;
  localparam byte unsigned CMD_TLBI_NSNH_ALL = 'h30, CMD_SYNC = 'h46;
  localparam int unsigned C_BAD_STREAMID = 'h02, C_BAD_STE = 'h04, F_TRANSLATION = 'h10, F_PERMISSION = 'h13;

  function automatic string access_name(int access);
    case (access)
      ACCESS_READ:    return "read";
      ACCESS_WRITE:   return "write";
      ACCESS_EXECUTE: return "execute";
      default:        return $sformatf("access(%0d)", access);
    endcase
  endfunction

  function automatic string outcome_name(int outcome);
    case (outcome)
      OUTCOME_TRANSLATED: return "translated";
      OUTCOME_BYPASSED:   return "bypassed";
      OUTCOME_FAULTED:    return "faulted";
      OUTCOME_STALLED:    return "stalled";
      default:            return $sformatf("error(%0d)", outcome);
    endcase
  endfunction

endpackage

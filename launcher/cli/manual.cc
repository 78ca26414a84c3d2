#include "cli/manual.h"

#include <sstream>
#include <vector>

#include "cli/command.h"
#include "cli/option_parser.h"

namespace vmrun::cli {

namespace {

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// A command's description: blank lines part paragraphs, indented lines are
// examples kept as typed.
std::string description_roff(const std::string& text) {
    std::string out = ".PP\n";
    bool example = false;
    for (const auto& l : split_lines(text)) {
        bool indented = l.rfind("  ", 0) == 0;
        if (indented != example) {
            out += indented ? ".RS 4\n.nf\n" : ".fi\n.RE\n";
            example = indented;
        }
        if (l.empty()) out += example ? "\n" : ".PP\n";
        else out += roff_text(indented ? l.substr(2) : l) + "\n";
    }
    if (example) out += ".fi\n.RE\n";
    return out;
}

std::string option_roff(const OptionSpec& o) {
    std::string tag = "\\fB\\-\\-" + roff_text(o.name) + "\\fR";
    if (o.short_name) tag = "\\fB\\-" + std::string(1, o.short_name) + "\\fR, " + tag;
    if (!o.value_name.empty())
        tag += o.kind == ValueKind::optional ? "[=\\fI" + roff_text(o.value_name) + "\\fR]" : " \\fI" + roff_text(o.value_name) + "\\fR";
    return ".TP\n" + tag + "\n" + roff_text(o.help) + "\n";
}

}  // namespace

std::string roff_text(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\\') out += "\\e";
        else if (c == '-') out += "\\-";
        else out += c;
    }
    if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
    return out;
}

std::string vmrun_man_page(const std::string& version) {
    std::string out = ".TH VMRUN 1 \"\" \"vmrun " + version + "\" \"vmrun manual\"\n";
    out += ".SH NAME\nvmrun \\- launch QEMU VMs with PCI passthrough from a YAML profile\n";
    out += ".SH SYNOPSIS\n.B vmrun\n[\\fB\\-v\\fR] \\fIPROFILE\\fR [\\fB\\-\\-detach\\fR | \\fB\\-\\-foreground\\fR]\n.br\n"
           ".B vmrun\n[\\fB\\-v\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n.br\n"
           ".B vmrun\n\\fB\\-\\-dry\\-run\\fR \\fIPROFILE\\fR [\\fB\\-\\-json\\fR]\n";
    out += ".SH DESCRIPTION\n.PP\n"
           "vmrun reads a VM profile (a YAML file, see \\fBvmrun\\-profile\\fR(5)), checks the host, binds the\n"
           "profile's PCI devices and every other member of their IOMMU groups to vfio\\-pci, sets up\n"
           "taps and bridges, builds a QEMU q35 command line and runs QEMU without a shell in between.\n"
           "Every host change is journaled before it is made and undone when the VM ends, however it\n"
           "ends; \\fBvmrun restore\\fR does it after a crash. A running VM is driven over QMP: devices\n"
           "are hot\\-plugged and unplugged, waiting for the guest's acknowledgement.\n";
    out += ".SH OPTIONS\n";
    out += ".TP\n\\fB\\-v\\fR, \\fB\\-\\-verbose\\fR\nLog what vmrun does (twice: debug). Before the command.\n";
    out += ".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nUsage; \\fBvmrun\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR for one command.\n";
    out += ".TP\n\\fB\\-\\-version\\fR\nPrint vmrun's version.\n";
    out += ".SH COMMANDS\n";
    for (const auto& c : commands()) {
        out += ".SS " + roff_text(c.name) + "\n";
        out += ".nf\n";
        for (auto l : split_lines(usage_text(c))) {
            if (l.rfind("usage: ", 0) == 0) l = l.substr(7);
            while (!l.empty() && l.front() == ' ') l.erase(0, 1);
            out += roff_text(l) + "\n";
        }
        out += ".fi\n.PP\n" + roff_text(c.summary) + ".\n";
        out += description_roff(c.description);
        for (const auto* o : command_options(c))
            if (o->name != "help") out += option_roff(*o);
    }
    out += ".SH EXIT STATUS\n.PP\n"
           "0 done (for start and stop: the guest powered off), 1 failure at run time (for start:\n"
           "nothing left changed), 3 QEMU failed while running, 4 QEMU was killed by a signal, 5 the\n"
           "guest did not power off in time and vmrun quit or killed QEMU, 64 bad command line,\n"
           "65 invalid profile.\n";
    out += ".SH ENVIRONMENT\n"
           ".TP\n\\fBVMRUN_RUNTIME_DIR\\fR\nWhere each VM's runtime folder is made (sockets, pid files); default \\fI/run/vmrun\\fR as root, else "
           "\\fI$XDG_RUNTIME_DIR/vmrun\\fR.\n"
           ".TP\n\\fBVMRUN_STATE_DIR\\fR\nWhere each VM's state is kept (journal, log, console log, UEFI variables, TPM); default "
           "\\fI/var/lib/vmrun\\fR as root, else \\fI$XDG_STATE_HOME/vmrun\\fR.\n"
           ".TP\n\\fBVMRUN_QEMU\\fR\nThe QEMU binary; default \\fBqemu\\-system\\-x86_64\\fR from PATH.\n"
           ".TP\n\\fBVMRUN_SYSROOT\\fR\nRead and write this folder's sys/, dev/ and proc/ instead of /: for tests against a simulated host.\n";
    out += ".SH FILES\n"
           ".TP\n\\fI/etc/vmrun/NAME.yaml\\fR\nThe profile \\fBvmrun@NAME.service\\fR starts at boot.\n"
           ".TP\n\\fI/var/lib/vmrun/NAME/journal\\fR\nEvery host change of the VM, written before it is made; replayed by \\fBvmrun restore\\fR.\n";
    out += ".SH SEE ALSO\n\\fBvmrun\\-profile\\fR(5), \\fBqemu\\-system\\-x86_64\\fR(1), \\fBsystemctl\\fR(1)\n";
    return out;
}

}  // namespace vmrun::cli

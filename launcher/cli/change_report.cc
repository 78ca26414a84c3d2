#include "cli/change_report.h"

#include <iostream>

namespace vmrun::cli {

ChangeReport::ChangeReport(bool json, const std::string& vm)
    : json_(json), doc_{{"vm", vm.empty() ? nlohmann::json() : nlohmann::json(vm)}} {}

ChangeReport::~ChangeReport() {
    if (json_ && changed_) std::cout << doc_.dump(2) << "\n";
}

void ChangeReport::add(const std::string& list, nlohmann::json entry, const std::string& line) {
    changed_ = true;
    if (json_) doc_[list].push_back(std::move(entry));
    else std::cout << "vmrun: " << line << "\n";
}

void ChangeReport::set(const std::string& key, nlohmann::json value, const std::string& line) {
    changed_ = true;
    if (json_) doc_[key] = std::move(value);
    else std::cout << "vmrun: " << line << "\n";
}

}  // namespace vmrun::cli

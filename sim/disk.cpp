// TODO: placeholder until the simulated disk lands.
#include "sim/disk.hpp"

namespace sim {
struct Disk::State {};
Disk::Disk(World&, std::string) : state_(std::make_unique<State>()) {}
Disk::~Disk() = default;
runtime::Result<std::unique_ptr<runtime::File>> Disk::open(const std::string&, runtime::OpenMode) { return runtime::Error::injected_fault; }
runtime::error_code Disk::rename(const std::string&, const std::string&) { return runtime::Error::injected_fault; }
runtime::error_code Disk::remove(const std::string&) { return runtime::Error::injected_fault; }
runtime::error_code Disk::sync_directory(const std::string&) { return runtime::Error::injected_fault; }
runtime::error_code Disk::create_directories(const std::string&) { return runtime::Error::injected_fault; }
runtime::Result<std::vector<std::string>> Disk::list(const std::string&) { return runtime::Error::injected_fault; }
bool Disk::exists(const std::string&) { return false; }
void Disk::crash() {}
}  // namespace sim

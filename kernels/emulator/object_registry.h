// The live handles and descriptors a stand-in library has handed out, so that a call with a destroyed, never
// created or wrong-kind object gets the library's error status instead of reading freed memory.
#pragma once

#include <mutex>
#include <unordered_map>

namespace ntr_standin {

template <class Kind>
class ObjectRegistry {
public:
    void add(const void* object, Kind kind)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        live_[object] = kind;
    }

    /// True (and forgotten) when the object was live and of this kind.
    bool remove(const void* object, Kind kind)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = live_.find(object);
        if (it == live_.end() || it->second != kind) {
            return false;
        }
        live_.erase(it);
        return true;
    }

    bool contains(const void* object, Kind kind) const
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = live_.find(object);
        return it != live_.end() && it->second == kind;
    }

private:
    mutable std::mutex mutex_;
    std::unordered_map<const void*, Kind> live_;
};

}  // namespace ntr_standin

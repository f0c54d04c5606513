// The one reflection the profile needs: how many members an aggregate has, so that each struct's
// JSON mapping can be checked at compile time to name every member (a member left out of
// NLOHMANN_DEFINE_TYPE_... is otherwise dropped from profile.json silently, and a round trip
// of a default profile cannot see it).
#pragma once
#include <cstddef>
#include <utility>

namespace memwall::harness::reflect {

// Converts to any member type, so T{Any, Any, ...} compiles exactly up to T's member count.
struct Any {
  template <class T>
  constexpr operator T() const;  // never defined: only ever in unevaluated braces
};

template <class T, std::size_t... I>
constexpr bool braces_with(std::index_sequence<I...>) {
  return requires {
    T{((void)I, Any{})...};
  };
}

template <class T, std::size_t N = 0>
constexpr std::size_t member_count() {
  if constexpr (!braces_with<T>(std::make_index_sequence<N + 1>{}))
    return N;
  else
    return member_count<T, N + 1>();
}

// The names in a macro's stringized list of them: "a, b, c" -> 3.
constexpr std::size_t names_in(const char* list) {
  std::size_t n = 1;
  for (; *list; ++list) n += *list == ',';
  return n;
}

}  // namespace memwall::harness::reflect

// Maps Type to and from JSON by the members named, and fails to compile where the names are
// not every member of Type.
#define MEMWALL_JSON(Type, ...)                                          \
  NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Type, __VA_ARGS__)     \
  static_assert(::memwall::harness::reflect::member_count<Type>() ==     \
                    ::memwall::harness::reflect::names_in(#__VA_ARGS__), \
                #Type ": a member without a JSON mapping (profile/model.cpp) drops silently");

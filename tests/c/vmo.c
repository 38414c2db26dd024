// VMOs and the root VMAR through libzircon.so (docs/semantics.md §9): create/read/write/get_size,
// mapping a VMO into this process and seeing writes from both sides, unmap, replace_as_executable.

#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "ztest.h"

ZT_TEST(create_rounds_size_and_sets_rights) {
  zx_handle_t vmo;
  ZT_ASSERT_OK(zx_vmo_create(100, 0, &vmo));
  uint64_t size = 0;
  ZT_EXPECT_OK(zx_vmo_get_size(vmo, &size));
  ZT_EXPECT_EQ(ZX_PAGE_SIZE, size);
  zx_info_handle_basic_t info = zt_basic_info(vmo);
  ZT_EXPECT_EQ(ZX_OBJ_TYPE_VMO, info.type);
  ZT_EXPECT_EQ(ZX_DEFAULT_VMO_RIGHTS, info.rights);
  ZT_EXPECT_EQ(ZX_OBJ_PROP_WAITABLE, info.props);
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_vmo_get_size(vmo, NULL));
  zx_handle_close(vmo);

  ZT_ASSERT_OK(zx_vmo_create(3 * ZX_PAGE_SIZE, ZX_VMO_RESIZABLE, &vmo));
  ZT_EXPECT_OK(zx_vmo_get_size(vmo, &size));
  ZT_EXPECT_EQ(3 * ZX_PAGE_SIZE, size);
  zx_handle_close(vmo);

  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_vmo_create(ZX_PAGE_SIZE, 0x100, &vmo));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_vmo_create(ZX_PAGE_SIZE, 0, NULL));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_vmo_get_size(0x10000001u, &size));
  zx_handle_t event;
  ZT_ASSERT_OK(zx_event_create(0, &event));
  ZT_EXPECT_STATUS(ZX_ERR_WRONG_TYPE, zx_vmo_get_size(event, &size));
  zx_handle_close(event);
}

ZT_TEST(write_then_read_back) {
  zx_handle_t vmo;
  ZT_ASSERT_OK(zx_vmo_create(2 * ZX_PAGE_SIZE, 0, &vmo));
  char buffer[64];
  memset(buffer, 0x77, sizeof(buffer));
  // Fresh VMOs read as zeros.
  ZT_EXPECT_OK(zx_vmo_read(vmo, buffer, 100, sizeof(buffer)));
  int zeros = 1;
  for (size_t i = 0; i < sizeof(buffer); i++) zeros &= buffer[i] == 0;
  ZT_CHECK(zeros);

  // A write straddling the page boundary.
  const char text[] = "hello, zircon";
  ZT_EXPECT_OK(zx_vmo_write(vmo, text, ZX_PAGE_SIZE - 5, sizeof(text)));
  memset(buffer, 0, sizeof(buffer));
  ZT_EXPECT_OK(zx_vmo_read(vmo, buffer, ZX_PAGE_SIZE - 5, sizeof(text)));
  ZT_CHECK(strcmp(buffer, text) == 0);

  // The last byte is reachable; one past is not.
  ZT_EXPECT_OK(zx_vmo_write(vmo, "x", 2 * ZX_PAGE_SIZE - 1, 1));
  ZT_EXPECT_STATUS(ZX_ERR_OUT_OF_RANGE, zx_vmo_write(vmo, "xy", 2 * ZX_PAGE_SIZE - 1, 2));
  ZT_EXPECT_STATUS(ZX_ERR_OUT_OF_RANGE, zx_vmo_read(vmo, buffer, 2 * ZX_PAGE_SIZE, 1));
  ZT_EXPECT_STATUS(ZX_ERR_OUT_OF_RANGE, zx_vmo_read(vmo, buffer, UINT64_MAX, 2));

  // Zero-length transfers need no buffer.
  ZT_EXPECT_OK(zx_vmo_read(vmo, NULL, 0, 0));
  ZT_EXPECT_OK(zx_vmo_write(vmo, NULL, 0, 0));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_vmo_read(vmo, NULL, 0, 8));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_vmo_write(vmo, NULL, 0, 8));
  zx_handle_close(vmo);
}

// Lengths past INT32_MAX take libzircon's chunked path, which validates the whole request before
// moving a byte: these calls must fail without touching the (deliberately tiny) buffer.
ZT_TEST(huge_lengths_are_validated_first) {
  zx_handle_t vmo, read_only;
  ZT_ASSERT_OK(zx_vmo_create(ZX_PAGE_SIZE, 0, &vmo));
  ZT_ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ, &read_only));
  char tiny[8] = {0};
  const size_t huge = (size_t)1 << 32;
  ZT_EXPECT_STATUS(ZX_ERR_OUT_OF_RANGE, zx_vmo_read(vmo, tiny, 0, huge));
  ZT_EXPECT_STATUS(ZX_ERR_OUT_OF_RANGE, zx_vmo_write(vmo, tiny, 0, huge));
  ZT_EXPECT_STATUS(ZX_ERR_OUT_OF_RANGE, zx_vmo_read(vmo, tiny, UINT64_MAX - 10, huge));
  ZT_EXPECT_STATUS(ZX_ERR_OUT_OF_RANGE, zx_vmo_read(vmo, tiny, 0, SIZE_MAX));
  ZT_EXPECT_STATUS(ZX_ERR_ACCESS_DENIED, zx_vmo_write(read_only, tiny, 0, huge));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_vmo_read(0x10000001u, tiny, 0, huge));
  zx_handle_t event;
  ZT_ASSERT_OK(zx_event_create(0, &event));
  ZT_EXPECT_STATUS(ZX_ERR_WRONG_TYPE, zx_vmo_read(event, tiny, 0, huge));
  zx_handle_t all[] = {vmo, read_only, event};
  zx_handle_close_many(all, 3);
}

ZT_TEST(read_write_need_rights) {
  zx_handle_t vmo, read_only, write_only;
  ZT_ASSERT_OK(zx_vmo_create(ZX_PAGE_SIZE, 0, &vmo));
  ZT_ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ, &read_only));
  ZT_ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_WRITE, &write_only));
  char byte = 1;
  ZT_EXPECT_STATUS(ZX_ERR_ACCESS_DENIED, zx_vmo_write(read_only, &byte, 0, 1));
  ZT_EXPECT_STATUS(ZX_ERR_ACCESS_DENIED, zx_vmo_read(write_only, &byte, 0, 1));
  ZT_EXPECT_OK(zx_vmo_write(write_only, &byte, 0, 1));
  byte = 0;
  ZT_EXPECT_OK(zx_vmo_read(read_only, &byte, 0, 1));
  ZT_EXPECT_EQ(1, byte);
  zx_handle_t all[] = {vmo, read_only, write_only};
  zx_handle_close_many(all, 3);
}

ZT_TEST(map_into_root_vmar_shares_memory_with_the_vmo) {
  const size_t len = 4 * ZX_PAGE_SIZE;
  zx_handle_t vmo;
  ZT_ASSERT_OK(zx_vmo_create(len, 0, &vmo));
  zx_handle_t root = zx_vmar_root_self();
  zx_vaddr_t addr = 0;
  ZT_ASSERT_OK(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, len, &addr));
  ZT_CHECK(addr != 0);
  ZT_EXPECT_EQ(0, addr % ZX_PAGE_SIZE);
  zx_info_vmar_t info = {0, 0};
  ZT_EXPECT_OK(zx_object_get_info(root, ZX_INFO_VMAR, &info, sizeof(info), NULL, NULL));
  ZT_CHECK(addr >= info.base && addr + len <= info.base + info.len);

  // Through the pointer, then through the VMO.
  volatile uint8_t* bytes = (volatile uint8_t*)(uintptr_t)addr;
  for (size_t i = 0; i < len; i += 997) bytes[i] = (uint8_t)(i * 7 + 1);
  int same = 1;
  for (size_t i = 0; i < len; i += 997) {
    uint8_t b = 0;
    if (zx_vmo_read(vmo, &b, i, 1) != ZX_OK || b != (uint8_t)(i * 7 + 1)) same = 0;
  }
  ZT_CHECK(same);

  // Through the VMO, then through the pointer.
  const char text[] = "seen through the mapping";
  ZT_EXPECT_OK(zx_vmo_write(vmo, text, 2 * ZX_PAGE_SIZE + 10, sizeof(text)));
  ZT_CHECK(memcmp((const void*)(uintptr_t)(addr + 2 * ZX_PAGE_SIZE + 10), text, sizeof(text)) == 0);

  ZT_EXPECT_OK(zx_vmar_unmap(root, addr, len));
  ZT_EXPECT_STATUS(ZX_ERR_NOT_FOUND, zx_vmar_unmap(root, addr, len));
  // The VMO keeps its contents after the mapping is gone.
  char back[sizeof(text)];
  ZT_EXPECT_OK(zx_vmo_read(vmo, back, 2 * ZX_PAGE_SIZE + 10, sizeof(back)));
  ZT_CHECK(memcmp(back, text, sizeof(text)) == 0);
  zx_handle_close(vmo);
}

ZT_TEST(mapping_outlives_the_vmo_handle) {
  zx_handle_t vmo;
  ZT_ASSERT_OK(zx_vmo_create(ZX_PAGE_SIZE, 0, &vmo));
  zx_vaddr_t addr = 0;
  ZT_ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                           ZX_PAGE_SIZE, &addr));
  ZT_EXPECT_OK(zx_handle_close(vmo));
  volatile uint32_t* word = (volatile uint32_t*)(uintptr_t)addr;
  *word = 0xfeedface;
  ZT_EXPECT_EQ(0xfeedface, *word);
  ZT_EXPECT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, ZX_PAGE_SIZE));
}

ZT_TEST(map_and_unmap_errors) {
  zx_handle_t vmo;
  ZT_ASSERT_OK(zx_vmo_create(ZX_PAGE_SIZE, 0, &vmo));
  zx_handle_t root = zx_vmar_root_self();
  zx_vaddr_t addr = 0;
  // Write without read.
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_vmar_map(root, ZX_VM_PERM_WRITE, 0, vmo, 0, ZX_PAGE_SIZE, &addr));
  // A NULL result pointer (the mapping is not left behind).
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS,
                   zx_vmar_map(root, ZX_VM_PERM_READ, 0, vmo, 0, ZX_PAGE_SIZE, NULL));
  // Handles.
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE,
                   zx_vmar_map(root, ZX_VM_PERM_READ, 0, 0x10000001u, 0, ZX_PAGE_SIZE, &addr));
  ZT_EXPECT_STATUS(ZX_ERR_WRONG_TYPE,
                   zx_vmar_map(vmo, ZX_VM_PERM_READ, 0, vmo, 0, ZX_PAGE_SIZE, &addr));
  // A VMO handle without WRITE cannot be mapped writable.
  zx_handle_t read_only;
  ZT_ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ | ZX_RIGHT_MAP, &read_only));
  ZT_EXPECT_STATUS(ZX_ERR_ACCESS_DENIED, zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0,
                                                     read_only, 0, ZX_PAGE_SIZE, &addr));
  // Unmap arguments.
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_vmar_unmap(root, 0x10000, 0));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_vmar_unmap(root, 0x10001, ZX_PAGE_SIZE));
  zx_handle_close(read_only);
  zx_handle_close(vmo);
}

ZT_TEST(replace_as_executable) {
  zx_handle_t vmo, exec;
  ZT_ASSERT_OK(zx_vmo_create(ZX_PAGE_SIZE, 0, &vmo));
  zx_koid_t koid = zt_basic_info(vmo).koid;
  ZT_ASSERT_OK(zx_vmo_replace_as_executable(vmo, get_root_resource(), &exec));
  ZT_CHECK(!zt_handle_valid(vmo));
  zx_info_handle_basic_t info = zt_basic_info(exec);
  ZT_EXPECT_EQ(koid, info.koid);
  ZT_EXPECT_EQ(ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_EXECUTE, info.rights);
  // A NULL out pointer still consumes the VMO handle.
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_vmo_replace_as_executable(exec, get_root_resource(), NULL));
  ZT_CHECK(!zt_handle_valid(exec));
}

int main(void) {
  ZT_RUN(create_rounds_size_and_sets_rights);
  ZT_RUN(write_then_read_back);
  ZT_RUN(huge_lengths_are_validated_first);
  ZT_RUN(read_write_need_rights);
  ZT_RUN(map_into_root_vmar_shares_memory_with_the_vmo);
  ZT_RUN(mapping_outlives_the_vmo_handle);
  ZT_RUN(map_and_unmap_errors);
  ZT_RUN(replace_as_executable);
  return zt_finish("vmo");
}

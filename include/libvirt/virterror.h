/* libvirt-compatible error API: everything is declared in virtevent.h. */
#ifndef LIBVIRT_VIRTERROR_H
#define LIBVIRT_VIRTERROR_H
#include "../virtevent.h"
#endif

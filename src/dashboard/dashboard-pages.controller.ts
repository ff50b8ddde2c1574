import { Controller, Get, Redirect, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DashboardAuthGuard } from './dashboard-auth.guard';
import { DashboardExceptionFilter } from './dashboard-error';
import { Page, PageContext } from './page.decorator';

/**
 * The way in (`GET /` goes to the dashboard) and the dashboard's own 404:
 * an address under /dashboard that names no page gets a page with the
 * navigation, not the framework's "Cannot GET …". Static routes win over the
 * wildcard, so every real page keeps its own handler.
 */
@ApiExcludeController()
@Controller()
export class DashboardPagesController {
  @Get()
  @Redirect('/dashboard', 303)
  root(): void {}

  @Get('dashboard/*')
  @UseGuards(DashboardAuthGuard)
  @UseFilters(DashboardExceptionFilter)
  async notFound(@Page() page: PageContext, @Res() reply: FastifyReply): Promise<void> {
    await reply.status(404).view('not-found', { title: 'Page not found', page });
  }
}
